"""`tensorlings check` on a file that defines no exercise says so and exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorlings.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("shared_checker")]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "it is empty"),
        ("# just my notes\n", "it holds no code"),
        ("import math\nprint(math.pi)\n", "no function in it has an exercise's name"),
    ],
)
def test_check_of_a_file_with_no_exercise_exits_2_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, why: str
) -> None:
    path = tmp_path / "homework.py"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    message = " ".join(captured.err.split())
    assert f"defines none of the 36 exercises ({why}), so nothing was checked" in message
    assert "not started" not in captured.out


def test_check_json_of_a_file_with_no_exercise_still_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "homework.py"
    path.write_text("x = 1\n")
    assert main(["check", str(path), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["not_started"] == 36


def test_check_of_one_exercise_not_written_yet_is_not_an_odd_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "workbook.py"
    path.write_text("def rearrange_2():\n    return 1\n")
    assert main(["check", str(path), "--exercise", "rearrange_1"]) == 0
    assert "defines none" not in capsys.readouterr().err
