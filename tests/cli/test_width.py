"""`tensorlings check` fits the reader's screen: at any COLUMNS no line is wider, grids are
stacked or cut with a count, long messages and printed lines wrap with their indent, and a long
path is shortened in its middle."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import torch
from rich.console import Console

from command_runs import RunCommand
from tensorlings.checker.compare import compare_values
from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.exercise import OutputPolicy
from tensorlings.picture import picture_of
from tensorlings.views.console import exercise_block, picture_view

# Failures with a 21-element tensor, a 4-D one, long messages, long printed lines, long calls.
WIDE = """
import torch
import torch as t


def temperatures_normalized(temps):
    print("a line the learner printed, " * 8)
    return (temps - temps.mean()) / temps.std(unbiased=False) * 1.00001234


def batched_dot_product_nd(a, b):
    return (a * b).reshape(a.shape[0], -1).sum(-1) + 1234.56789


def relu_where(x):
    return t.where(x > 0, x, x * 0.000123456789)


def batched_softmax(matrix):
    return matrix.exp() / matrix.exp().sum(-1, keepdim=True)
"""


def _wide_folder(tmp_path: Path) -> Path:
    folder = tmp_path / ("a_course_folder_with_a_long_name_" * 3) / "student_with_a_long_name"
    folder.mkdir(parents=True)
    (folder / "workbook.py").write_text(WIDE, encoding="utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_no_line_of_check_is_wider_than_the_screen(
    tmp_path: Path, columns: int, run_tensorlings: RunCommand
) -> None:
    folder = _wide_folder(tmp_path)
    env = {"COLUMNS": str(columns), "NO_COLOR": "1"}
    shown = run_tensorlings("check", str(folder / "workbook.py"), cwd=tmp_path, env=env)
    assert shown.returncode == 1, shown.stderr
    lines = shown.stdout.splitlines()
    assert "temperatures_normalized" in shown.stdout and "(* marks them)" in shown.stdout
    assert "batched_dot_product_nd(a=" in shown.stdout
    too_wide = [line for line in lines if len(line) > columns]
    assert too_wide == []
    assert lines[0].startswith("tensorlings check /") and "workbook.py" in lines[0]
    assert "…" in lines[0]  # the long path was shortened in its middle, not wrapped


def _picture(size: int):
    expected = torch.linspace(-1.5, 1.5, size)
    actual = expected.clone()
    actual[size // 2] += 1.0
    mismatch = compare_values(actual, expected, OutputPolicy())
    assert mismatch is not None
    return picture_of(Problem(mismatch.kind, mismatch.message, details=mismatch.details))[0]


def test_a_4d_failure_fits_the_screen_at_any_width() -> None:
    expected = torch.linspace(-1000.5, 1000.5, 144).reshape(2, 3, 4, 6)
    actual = expected * 1.5
    mismatch = compare_values(actual, expected, OutputPolicy())
    assert mismatch is not None
    problem = Problem(mismatch.kind, "wrong values " * 30, details=mismatch.details)
    result = ExerciseResult("relu_abs", "ReLU", "failed", (problem,))
    for width in (60, 80, 120):
        buffer = io.StringIO()
        exercise_block(Console(file=buffer, width=width, no_color=True), result)
        shown = buffer.getvalue()
        assert "rows run over the first 3 axes" in shown
        assert max(len(line) for line in shown.splitlines()) <= width


def test_grids_too_wide_side_by_side_are_stacked_and_cut_with_a_count() -> None:
    view = picture_view(_picture(21), plain=True, width=50).plain
    lines = view.split("\n")
    assert max(len(line) for line in lines) <= 50
    assert lines[0] == "expected" and "actual" in lines  # stacked, one under the other
    assert "columns drawn left out to fit the width" in view
    assert sum(line.count("*") for line in lines if "*" in line and "(" not in line) == 2


def test_grids_that_fit_stay_side_by_side() -> None:
    view = picture_view(_picture(5), plain=True, width=120).plain
    assert view.split("\n")[0].split() == ["expected", "actual"]
    assert "left out" not in view


def test_long_messages_and_printed_lines_wrap_with_their_indent() -> None:
    result = ExerciseResult(
        id="relu_abs",
        section="ReLU",
        status="failed",
        problems=(Problem("wrong_values", "word " * 60),),
        output="printed " * 40,
    )
    buffer = io.StringIO()
    exercise_block(Console(file=buffer, width=70, no_color=True), result)
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 70
    message = [line for line in lines if "word" in line]
    printed = [line for line in lines if "printed" in line and "your code" not in line]
    assert len(message) > 1 and all(line.startswith("    ") for line in message)
    assert len(printed) > 1 and all(line.startswith("      ") for line in printed)


def test_an_argument_error_fits_the_screen(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from collections import defaultdict

    from tensorlings.cli_parser import build_parser

    monkeypatch.setenv("COLUMNS", "60")
    parser = build_parser(defaultdict(lambda: lambda _: 0))
    with pytest.raises(SystemExit):
        parser.parse_args(["check", "--seed", "123456789012345678"])
    shown = capsys.readouterr().err
    assert "got 123456789012345678" in shown
    assert max(len(line) for line in shown.splitlines()) <= 60
