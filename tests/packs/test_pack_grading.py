"""`tensorlings grade --pack` grades a class's workbooks of a pack; without --pack a header that
names a pack by path is flagged and not checked (a workbook never chooses code to import); a
wrong --pack stops before anything is checked."""

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


def test_a_class_of_a_pack_is_graded(tmp_path: Path) -> None:
    pack = write_file_pack(tmp_path / "pack")
    submissions = _class(tmp_path / "class", pack)
    option = ["--pack", str(pack)]
    code = main([*map(str, submissions), "--out", str(tmp_path / "out"), "--jobs", "1", *option])
    assert code == 1  # bob's answer fails
    grades = _grades(tmp_path / "out")
    assert grades["ada"] != grades["bob"]
    assert set(grades) == {"ada", "bob", "cy"}
    loaded = packs.load(str(pack))
    class_json = json.loads((tmp_path / "out" / "class.json").read_text("utf-8"))
    named = f"{loaded.name} {loaded.version}"
    assert class_json["pack"] == named
    assert [row["flag"] for row in class_json["submissions"]] == [None, None, "untouched_template"]
    report = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert ("Pack: " + named) in report


def test_a_class_of_a_pack_given_by_path_is_flagged_without_pack(tmp_path: Path) -> None:
    pack = write_file_pack(tmp_path / "pack")
    submissions = _class(tmp_path / "class", pack)
    code = main([*map(str, submissions), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert code == 1  # none could be checked
    class_json = json.loads((tmp_path / "out" / "class.json").read_text("utf-8"))
    assert "header" in class_json["pack"]
    assert [row["flag"] for row in class_json["submissions"]] == ["foreign_pack"] * 3
    assert all(f"--pack {pack}" in row["error"]["message"] for row in class_json["submissions"])


def test_a_wrong_pack_stops_grading_with_the_packs_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(tmp_path), "--out", str(tmp_path / "out"), "--pack", "nope"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("tensorlings grade: there is no pack 'nope'. Installed packs: sheet")
    assert not (tmp_path / "out").exists()
