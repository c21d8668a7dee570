"""`tensorlings pack new` writes a pack that passes `tensorlings pack check` as written, and
`pack check` reports what is wrong with a broken one, one finding per line, exit 1."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from pack_fixtures import PLAIN, write_file_pack

from command_runs import RunCommand
from tensorlings.authoring import pack_template
from tensorlings.catalogue import Catalogue
from tensorlings.pack_checks import check_pack, field_findings

pytestmark = pytest.mark.slow


def test_a_new_pack_passes_pack_check_and_works_for_a_learner(
    tmp_path: Path, run_tensorlings: RunCommand
) -> None:
    run = partial(run_tensorlings, cwd=tmp_path, env=PLAIN)
    made = run("pack", "new", "my_pack")
    assert made.returncode == 0, made.stderr
    checked = run("pack", "check", "my_pack")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "pack my_pack 0.1: 4 exercises, no findings."
    assert run("init", "--pack", "./my_pack", "wb").returncode == 0
    stub = run("check", "wb", "--pack", "./my_pack")
    assert "0 passed, 0 failed, 4 not started, of 4." in stub.stdout


def test_the_template_has_one_exercise_of_each_kind() -> None:
    kinds = [exercise.judge.kind for exercise in pack_template.EXERCISES]
    assert kinds == ["function", "sampling", "strided", "question"]


def test_pack_new_refuses_a_bad_name_or_an_existing_folder(
    tmp_path: Path, run_tensorlings: RunCommand
) -> None:
    run = partial(run_tensorlings, cwd=tmp_path, env=PLAIN)
    bad = run("pack", "new", "My-Pack")
    assert bad.returncode == 2 and "is not a usable pack name" in bad.stderr
    (tmp_path / "taken").mkdir()
    taken = run("pack", "new", "taken")
    assert taken.returncode == 2 and "already exists; nothing was written" in taken.stderr


def test_pack_check_reports_a_wrong_reference(tmp_path: Path, run_tensorlings: RunCommand) -> None:
    pack = write_file_pack(tmp_path)
    pack.write_text(pack.read_text().replace("return x * 2", "return x * 3"), encoding="utf-8")
    result = run_tensorlings("pack", "check", str(pack), cwd=tmp_path, env=PLAIN)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "doubled: example_disagrees: the reference on example 1 differs from its expected value"
    )
    assert first.endswith("Fix: fix the solution or the example's expected value; they must agree.")


def test_missing_hints_and_examples_are_findings() -> None:
    (tiny,) = [e for e in pack_template.EXERCISES if e.id == "row_sums"]
    from dataclasses import replace

    bare = replace(tiny, hints=(), examples=())
    problems = [f.problem for f in field_findings(bare)]
    assert problems == ["it has no hints (or an empty one).", "it has no examples."]
    pack = Catalogue("bare", "Bare", "0", "a test", (bare,))
    assert [f.exercise for f in check_pack(pack)] == ["row_sums", "row_sums"]
