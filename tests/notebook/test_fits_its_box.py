"""A notebook's check output fits where it is shown: its text is as wide as the terminal, and its
HTML pictures and printed output scroll inside the output box instead of spilling past it."""

from __future__ import annotations

import re

import pytest
import torch

from tensorlings.checker.compare import compare_values
from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.exercise import OutputPolicy
from tensorlings.notebook.result import NotebookResult


def _wide_result() -> ExerciseResult:
    expected = torch.linspace(-3.25, 3.25, 21)
    mismatch = compare_values(expected * 1.001 + 0.5, expected, OutputPolicy())
    assert mismatch is not None
    problem = Problem(mismatch.kind, mismatch.message * 3, details=mismatch.details)
    return ExerciseResult("relu_abs", "ReLU", "failed", (problem,), output="printed " * 50)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_text_view_is_as_wide_as_the_terminal(
    monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    text = str(NotebookResult(_wide_result()))
    assert "expected" in text and "actual" in text
    assert max(len(line) for line in text.splitlines()) <= columns


def test_html_pictures_and_printed_output_scroll_inside_their_box() -> None:
    html = NotebookResult(_wide_result())._repr_html_()
    picture = re.search(r'<div class="tensorlings-picture" style="([^"]*)"', html)
    assert picture is not None and "overflow-x:auto" in picture.group(1)
    printed = re.search(r'<pre style="([^"]*)"', html)
    assert printed is not None and "overflow-x:auto" in printed.group(1)
