"""The imported packs pass `pack check` (fields, references, mutation audit, the full checker
on the reference and stub workbooks) once the TODOs import lists are done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorlings import packs
from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.cli import main
from tensorlings.importing import import_sheet
from tensorlings.pack_checks import check_pack

DATA = Path(__file__).parent / "data"


def apply_todo_edits(pack_dir: Path, edits_file: Path) -> int:
    """The author's edits for the listed TODOs; the number applied."""
    source_file = pack_dir / "__init__.py"
    source = source_file.read_text()
    edits = json.loads(edits_file.read_text())["edits"]
    for old, new in edits:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    source_file.write_text(source)
    return len(edits)


@pytest.mark.slow
def test_the_seed_pack_passes_pack_check_after_its_todos(
    tmp_path: Path, seed_sheet: Path, seed_solutions: Path, zygote: ZygoteHandle
) -> None:
    out = tmp_path / "seed_pack"
    import_sheet(seed_sheet, seed_solutions, out)
    apply_todo_edits(out, DATA / "seed_todo_edits.json")
    assert [f.line() for f in check_pack(packs.load(str(out)), zygote=zygote)] == []


@pytest.mark.slow
def test_the_masks_pack_passes_pack_check_as_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "masks_pack"
    masks = DATA / "masks"
    argv = ["pack", "import", str(masks / "sheet.md"), "--solutions", str(masks / "solutions.py")]
    code = main([*argv, "--out", str(out), "--check"])
    printed = capsys.readouterr().out
    assert "1 TODOs." in printed  # the predict-the-output question only
    assert printed.rstrip().endswith("pack masks_pack 0.1: 10 exercises, no findings.")
    assert code == 0
