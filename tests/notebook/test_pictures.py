"""Pictures of failing cases: the data the checker stores, and the grids the terminal draws
(coloured, or marked with * when colours are off)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tensorlings import cli
from tensorlings.checker.compare import compare_values
from tensorlings.checker.results import Problem
from tensorlings.exercise import OutputPolicy
from tensorlings.exercises.s08_as_strided import STRIDED_INPUT
from tensorlings.picture import picture_of

WRONG = """
import torch

def batched_softmax(matrix):
    e = matrix.exp()
    return e / e.sum(0, keepdim=True)
"""


def _problem(expected: torch.Tensor, actual: torch.Tensor) -> Problem:
    mismatch = compare_values(actual, expected, OutputPolicy())
    assert mismatch is not None
    return Problem(mismatch.kind, mismatch.message, details=mismatch.details)


def test_a_picture_marks_exactly_the_differing_cells() -> None:
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    actual = torch.tensor([[1.0, 2.5], [3.0, float("nan")]])
    (picture,) = picture_of(_problem(expected, actual))
    assert [g.title for g in picture.grids] == ["expected", "actual"]
    assert picture.grids[1].rows == (("1", "2.5"), ("3", "nan"))
    assert picture.grids[0].marked == picture.grids[1].marked == {(0, 1), (1, 1)}


def test_a_large_tensor_is_cut_to_a_window_around_the_first_difference() -> None:
    expected = torch.zeros(12, 12)
    actual = expected.clone()
    actual[11, 11] = 1.0
    grid = picture_of(_problem(expected, actual))[0].grids[1]
    assert len(grid.rows) == 12 and (11, 11) in grid.marked
    tall = torch.zeros(144, 1)
    changed = tall.clone()
    changed[100, 0] = 1.0
    grid = picture_of(_problem(tall, changed))[0].grids[1]
    assert len(grid.rows) == 12 and "rows 98-109" in grid.note
    assert grid.rows[next(r for r, _ in grid.marked)] == ("1",)


def test_an_as_strided_answer_shows_the_memory_it_reads_and_the_view() -> None:
    problem = Problem("wrong_values", "…", call="input.as_strided(size=(2, 3), stride=(4, 1))")
    layout, view = picture_of(problem, STRIDED_INPUT)[0].grids
    read = {r * 10 + c for r, c in layout.marked}
    assert read == {0, 1, 2, 4, 5, 6}
    assert view.rows == (("0", "1", "2"), ("4", "5", "6"))


def _check_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    path = tmp_path / "workbook.py"
    path.write_text(WRONG, encoding="utf-8")
    assert cli.main(["check", str(path), "--exercise", "batched_softmax", *flags]) == 1
    return capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.usefixtures("shared_checker")
def test_the_terminal_colours_the_differing_cells_and_respects_no_color(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = _check_text(tmp_path, capsys)
    assert "\x1b[1;37;41m" in coloured and "1*" not in coloured
    plain = _check_text(tmp_path, capsys, "--no-color")
    assert "\x1b[1;37;41m" not in plain and " 1* 1* 1*" in plain and "(* marks them)" in plain
    monkeypatch.delenv("NO_COLOR", raising=False)  # --no-color set it for this process
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[1;37;41m" not in _check_text(tmp_path, capsys)
