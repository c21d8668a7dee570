"""A workbook made from a pack records it, and is checked against it: by name (without --pack
once the header names an installed pack) or by path (a file or a folder, given with --pack: a
header never chooses a file to import); progress is kept per pack."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
from pack_fixtures import PLAIN, stub_body, tensorlings, write_file_pack, write_folder_pack

from command_runs import RunCommand
from tensorlings.packs.header import read_header

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_local_pack_workbook_is_checked_against_its_pack(
    tmp_path: Path, kind: str, run_tensorlings: RunCommand
) -> None:
    write = write_file_pack if kind == "file" else write_folder_pack
    pack = write(tmp_path / "packs")
    run = partial(run_tensorlings, cwd=tmp_path, env=PLAIN)
    assert run("init", "--pack", str(pack), "wb").returncode == 0
    workbook = tmp_path / "wb" / "workbook.py"
    header = read_header(workbook)
    assert header is not None and header.path == str(pack) and header.version == "1.0"
    text = workbook.read_text(encoding="utf-8")
    workbook.write_text(stub_body(text, "doubled", "return x + x\n"), encoding="utf-8")
    refused = run("check", "wb")  # no --pack: the header may not choose
    assert refused.returncode == 2
    assert f"give it yourself: --pack {pack}" in " ".join(refused.stderr.split())
    result = run("check", "wb", "--pack", str(pack))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed, 0 not started, of 1." in result.stdout
    name = "tiny" if kind == "file" else "tiny_folder"
    saved = json.loads((tmp_path / "wb" / ".tensorlings" / f"progress-{name}.json").read_text())
    assert saved["exercises"]["doubled"]["status"] == "passed"
    assert not (tmp_path / "wb" / ".tensorlings" / "progress.json").exists()


def test_a_pack_version_change_is_a_clear_note(tmp_path: Path, run_tensorlings: RunCommand) -> None:
    pack = write_file_pack(tmp_path, version="1.0")
    run_tensorlings("init", "--pack", str(pack), "wb", cwd=tmp_path, env=PLAIN)
    write_file_pack(tmp_path, version="2.0")
    # A process of its own: this one keeps the pack it imported for init (version 1.0).
    result = tensorlings("check", "wb", "--pack", str(pack), cwd=tmp_path)
    assert result.returncode == 0
    assert (
        "note: wb/workbook.py was made from pack 'tiny' version 1.0, but the pack here is "
        "version 2.0" in " ".join(result.stderr.split())
    )


def test_a_workbook_of_a_pack_that_is_not_installed_asks_for_pack(
    tmp_path: Path, run_tensorlings: RunCommand
) -> None:
    pack = write_file_pack(tmp_path)
    run = partial(run_tensorlings, cwd=tmp_path, env=PLAIN)
    run("init", "--pack", str(pack), "wb")
    pack.unlink()
    result = run("check", "wb")
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "was made from pack 'tiny'" in message and f"give it yourself: --pack {pack}" in message


def test_from_scratch_works_by_name(tmp_path: Path, run_tensorlings: RunCommand) -> None:
    run = partial(run_tensorlings, cwd=tmp_path, env=PLAIN)
    reference = run("check", "--reference", "--pack", "from_scratch")
    assert reference.returncode == 0, reference.stdout + reference.stderr
    assert "18 passed, 0 failed, 0 not started, of 18." in reference.stdout
    assert run("init", "--pack", "from_scratch", "wb").returncode == 0
    assert "tensorlings-pack: from_scratch 1.0" in (tmp_path / "wb" / "workbook.py").read_text()
    hint = run("hint", "tril", "--dir", "wb")  # the header names the pack
    assert hint.returncode == 0, hint.stderr
    assert hint.stdout.startswith("Hint 1/")
    unknown = run("hint", "rearrange_1", "--dir", "wb")
    assert "There is no exercise 'rearrange_1' in pack 'from_scratch'" in unknown.stderr
