"""The sandbox's file system: the checkout, `.git`, the solutions and the submissions are not
there, nothing outside the child's own folder can be written, and the zygote's root cannot be
reached through /proc."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_helpers import (
    assert_neighbours_passed,
    check_hostile,
    kinds,
    require_layers,
    result_of,
)

import tensorlings
from tensorlings.checker.sandbox import ZygoteHandle

pytestmark = pytest.mark.slow

PACKAGE = Path(tensorlings.__file__).resolve().parent
CHECKOUT = PACKAGE.parent.parent


@pytest.fixture
def jailed(zygote: ZygoteHandle) -> ZygoteHandle:
    require_layers(zygote, "mount_namespace", "readonly_system", "user_namespace")
    return zygote


def _secret_paths(tmp_path: Path) -> list[str]:
    submissions = tmp_path / "submissions" / "alice"
    submissions.mkdir(parents=True)
    (submissions / "workbook.py").write_text("def relu_abs(x):\n    return x\n")
    grades = tmp_path / "grades" / "results"
    grades.mkdir(parents=True)
    (grades / "alice.json").write_text("{}")
    paths = [
        PACKAGE / "exercises" / "s09_relu.py",
        PACKAGE / "solutions.py",
        CHECKOUT / "pyproject.toml",
        CHECKOUT / ".git" / "HEAD",
        CHECKOUT / ".git",
        submissions / "workbook.py",
        grades / "alice.json",
        Path.home() / ".bashrc",
    ]
    return [str(p) for p in paths]


def test_checkout_git_solutions_submissions_and_grades_cannot_be_read(jailed, tmp_path):
    secrets = _secret_paths(tmp_path)
    report = check_hostile(
        jailed,
        tmp_path,
        f"""
        import os

        def relu_abs(x):
            for path in {secrets!r}:
                if os.path.exists(path):
                    raise RuntimeError("the sandbox shows " + path)
            import torch as library  # what the child needs is still there, read-only
            with open(library.__file__) as own:
                own.read(10)
            return (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "passed", [p.message for p in result.problems]
    assert report.isolation["reference_files_hidden"] is True
    assert_neighbours_passed(report)


def test_git_show_in_the_checkout_finds_no_repository(jailed, tmp_path):
    report = check_hostile(
        jailed,
        tmp_path,
        f"""
        import subprocess

        def relu_abs(x):
            try:
                shown = subprocess.run(
                    ["git", "-C", {str(CHECKOUT)!r}, "show", "HEAD:src/tensorlings/solutions.py"],
                    capture_output=True,
                )
            except FileNotFoundError:  # no git inside the sandbox: nothing shown either
                return (x + x.abs()) / 2
            if shown.returncode == 0:
                raise RuntimeError("git showed the reference")
            return (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "passed" or "tampering" in kinds(result), result.problems


@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses computed write paths
def test_writes_outside_the_own_folder_fail_and_the_own_folder_works(jailed, tmp_path):
    outside = tmp_path / "written-from-the-sandbox.txt"
    # Not a .py file: writing one is refused earlier, by the audit hook (another layer).
    targets = [str(outside), "/etc/tensorlings-x", "/usr/tensorlings-x", str(CHECKOUT / "x.txt")]
    report = check_hostile(
        jailed,
        tmp_path,
        f"""
        import os

        def relu_abs(x):
            for path in {targets!r}:
                try:
                    with open(path, "w") as out:
                        out.write("escaped")
                except OSError:
                    continue
                raise RuntimeError("wrote " + path)
            with open("scratch.txt", "w") as scratch:  # the child's own folder is writable
                scratch.write("fine")
            return (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "passed", [p.message for p in result.problems]
    assert not outside.exists()
    assert_neighbours_passed(report)


def test_the_zygote_root_is_not_reachable_through_proc(jailed, tmp_path):
    target = f"/proc/{jailed.process.pid}/root{PACKAGE}/exercises/s09_relu.py"
    report = check_hostile(
        jailed,
        tmp_path,
        f"""
        def relu_abs(x):
            source = open({target!r}).read()
            namespace = {{}}
            exec(source, namespace)
            return namespace["relu_abs"](x)
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "failed"
    messages = " ".join(p.message for p in result.problems)
    assert "FileNotFoundError" in messages or "tampering" in kinds(result), messages
    assert_neighbours_passed(report)
