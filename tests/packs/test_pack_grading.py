"""`tensorlings grade --pack` grades a class's workbooks of a pack; without --pack each
workbook's header names its pack; a wrong --pack stops before anything is checked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pack_fixtures import stub_body, write_file_pack

from tensorlings import packs, workbook
from tensorlings.grading.cli import main

pytestmark = pytest.mark.slow


def _class(folder: Path, pack_path: Path) -> list[Path]:
    pack = packs.load(str(pack_path))
    stub = workbook.to_py(workbook.learner_cells(pack=pack))
    made = []
    for name, body in (("ada", "return x * 2\n"), ("bob", "return x + 1\n"), ("cy", None)):
        path = folder / name / "workbook.py"
        path.parent.mkdir(parents=True)
        path.write_text(stub if body is None else stub_body(stub, "doubled", body), "utf-8")
        made.append(path.parent)
    return made


def _grades(out: Path) -> dict[str, str]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return {row["submission"]: row["doubled"] for row in rows}


@pytest.mark.parametrize("given", [True, False], ids=["with --pack", "from the header"])
def test_a_class_of_a_pack_is_graded(tmp_path: Path, given: bool) -> None:
    pack = write_file_pack(tmp_path / "pack")
    submissions = _class(tmp_path / "class", pack)
    option = ["--pack", str(pack)] if given else []
    code = main([*map(str, submissions), "--out", str(tmp_path / "out"), "--jobs", "1", *option])
    assert code == 1  # bob's answer fails
    grades = _grades(tmp_path / "out")
    assert grades["ada"] != grades["bob"]
    assert set(grades) == {"ada", "bob", "cy"}
    loaded = packs.load(str(pack))
    recorded = json.loads((tmp_path / "out" / "class.json").read_text("utf-8"))["pack"]
    named = f"{loaded.name} {loaded.version}"
    assert (recorded == named) if given else ("header" in recorded)
    report = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert ("Pack: " + named) in report if given else "Pack: each workbook" in report


def test_a_wrong_pack_stops_grading_with_the_packs_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(tmp_path), "--out", str(tmp_path / "out"), "--pack", "nope"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("tensorlings grade: there is no pack 'nope'. Installed packs: sheet")
    assert not (tmp_path / "out").exists()
