"""No submission chooses code the grader runs: a workbook whose header names a pack file shipped
beside it (`# tensorlings-pack: evil 1.0 from evil_pack.py`) never has that file imported, by
`grade`, by the Gradescope autograder or by `check`. Grading flags it `foreign_pack`; `check`
says what happened, why, and to pass --pack."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from grading_helpers import GOOD

from tensorlings.cli import main as tensorlings_main
from tensorlings.gradescope.autograder import main as autograder_main
from tensorlings.grading.cli import main as grade_main
from tensorlings.packs.header import ForeignPack, choose

pytestmark = pytest.mark.slow

# Imported, it leaves a mark and claims to be a pack whose every answer passes.
EVIL = """\
from pathlib import Path
Path({marker!r}).write_text("imported")
TITLE = "evil"
VERSION = "1.0"
EXERCISES = ()
"""


def _upload(folder: Path, marker: Path, *, absolute: bool) -> Path:
    """A submission folder holding evil_pack.py and a workbook whose header names it."""
    folder.mkdir(parents=True)
    evil = folder / "evil_pack.py"
    evil.write_text(EVIL.format(marker=str(marker)), encoding="utf-8")
    named = str(evil) if absolute else "evil_pack.py"
    workbook = folder / "workbook.py"
    workbook.write_text(f"# tensorlings-pack: evil 1.0 from {named}\n{GOOD}", encoding="utf-8")
    return workbook


@pytest.fixture
def inside(tmp_path: Path) -> Iterator[Path]:
    """Run from inside the submission's folder, where a relative path in a header leads."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


@pytest.mark.parametrize("absolute", [True, False], ids=["absolute path", "relative path"])
def test_choosing_a_pack_never_imports_the_file_a_header_names(inside: Path, absolute: bool):
    marker = inside / "marker"
    workbook = _upload(inside / "up", marker, absolute=absolute)
    os.chdir(workbook.parent)
    with pytest.raises(ForeignPack) as raised:
        choose(None, workbook)
    message = " ".join(str(raised.value).split())
    assert "was made from pack 'evil'" in message
    assert "A workbook may not choose code for tensorlings to run" in message
    assert "--pack" in message
    assert choose("sheet", workbook).notes  # the user's own --pack is used, with a note
    assert not marker.exists()


@pytest.mark.usefixtures("shared_checker")
def test_check_refuses_a_foreign_header_and_says_to_pass_pack(
    inside: Path, capsys: pytest.CaptureFixture[str]
):
    marker = inside / "marker"
    workbook = _upload(inside / "up", marker, absolute=False)
    os.chdir(workbook.parent)
    assert tensorlings_main(["check", "workbook.py"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "was made from pack 'evil' (from evil_pack.py), which is not installed here" in err
    assert "If you trust that pack, give it yourself: --pack evil_pack.py" in err
    assert not marker.exists()


@pytest.mark.parametrize("given", [None, "sheet"], ids=["no --pack", "--pack sheet"])
def test_grade_flags_a_foreign_header_and_never_imports_its_file(
    inside: Path, capsys: pytest.CaptureFixture[str], given: str | None
):
    marker = inside / "marker"
    _upload(inside / "class" / "mallory", marker, absolute=True)
    _upload(inside / "class" / "eve", marker, absolute=False)
    honest = inside / "class" / "ada" / "workbook.py"
    honest.parent.mkdir()
    honest.write_text(GOOD, encoding="utf-8")
    os.chdir(inside / "class" / "eve")  # where eve's relative path leads
    option = ["--pack", given] if given else []
    folders = [str(inside / "class" / name) for name in ("ada", "eve", "mallory")]
    code = grade_main([*folders, "--out", str(inside / "out"), "--jobs", "1", *option])
    assert code == (1 if given is None else 0), capsys.readouterr().err
    assert not marker.exists()
    rows = json.loads((inside / "out" / "class.json").read_text("utf-8"))["submissions"]
    by_name = {row["name"]: row for row in rows}
    assert by_name["ada"]["flag"] is None
    for name in ("eve", "mallory"):
        assert by_name[name]["flag"] == "foreign_pack"
        text = json.dumps(by_name[name])
        if given is None:  # not checked against another pack than its own on a guess
            assert "A workbook may not choose code for tensorlings to run" in text
        else:  # graded against the pack the instructor gave
            assert by_name[name]["error"] is None


def test_the_autograder_flags_a_foreign_header_and_never_imports_its_file(tmp_path: Path):
    marker = tmp_path / "marker"
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "source" / "settings.json").write_text('{"allow_weak_isolation": true}')
    workbook = _upload(root / "submission", marker, absolute=True)
    assert workbook.exists()
    assert autograder_main(["--root", str(root)]) == 0
    results = json.loads((root / "results" / "results.json").read_text("utf-8"))
    assert results["extra_data"]["flag"] == "foreign_pack"
    assert results["score"] == 0.0
    assert "may not choose code" in results["output"]
    assert not marker.exists()
