"""Random and adversarial bytes thrown at every reader of a workbook (the checker's reader, the
header, the grading flags) and at the report writers: each gives a result or a clear message,
never a traceback; and no report fails to be written, whatever code points the text holds."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hostile import HEADER_BACKTRACK, NOTEBOOKS, PYTHON
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import FUZZ, hostile_text, notebook_bytes, python_bytes

from tensorlings.checker.results import CheckReport, ExerciseResult, FileError, Problem
from tensorlings.checker.source import read_workbook
from tensorlings.errors import WorkbookError
from tensorlings.grading.flags import no_exercise_reason, workbook_flag
from tensorlings.grading.model import FLAGS, ClassContext, Graded
from tensorlings.grading.reports import write_reports
from tensorlings.packs.header import Header, read_header

pytestmark = pytest.mark.timeout(300)  # a hang fails the test instead of stalling the suite

NOTHING = CheckReport("x", 0, "2.13.0", "cpu", None, ())


def _every_reader(content: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            workbook = read_workbook(path)
        except WorkbookError as error:
            assert str(error).strip()
        else:
            for cell in workbook.cells:
                cell.code.encode("utf-8")  # can be sent to the worker and shown
                assert cell.syntax_error is None or cell.syntax_error.msg
        assert isinstance(read_header(path), Header | None)
        reason = no_exercise_reason(path, NOTHING, ["rearrange_1"])
        assert reason is None or reason.strip()
    flag = workbook_flag(content, notebook=name.endswith(".ipynb"), report=NOTHING)
    assert flag in (*FLAGS, None)


@FUZZ
@given(python_bytes)
@example(PYTHON["a sum of 100k terms"])  # the witnesses that broke a reader before
@example(PYTHON["100k unary minus"])
@example(PYTHON["NUL bytes"])
@example(HEADER_BACKTRACK)
def test_any_bytes_as_a_py_workbook_are_read_or_refused_clearly(content: bytes) -> None:
    _every_reader(content, "workbook.py")


@FUZZ
@given(notebook_bytes)
@example(NOTEBOOKS["nested 100k deep"])
@example(NOTEBOOKS["a source that is a list of numbers"])
@example(NOTEBOOKS["a lone surrogate in outputs and source"])
def test_any_bytes_as_a_notebook_are_read_or_refused_clearly(content: bytes) -> None:
    _every_reader(content, "x.ipynb")


def _graded(text: str, name: str) -> Graded:
    problem = Problem("exception", text, call=f"rearrange_1({text!r})", mistake=text)
    result = ExerciseResult("rearrange_1", "Building tensors", "failed", (problem,), output=text)
    ok = CheckReport(text, 0, "2.13.0", "cpu", None, (result,))
    broken = CheckReport(text, 0, "2.13.0", "cpu", FileError("crashed", text), ())
    return Graded(name, ok if len(text) % 2 else broken, flag=None)


@pytest.mark.filterwarnings("ignore::UserWarning")
@FUZZ
@given(st.lists(hostile_text, min_size=1, max_size=3))
@example(["\ud800", "\x1b[2J\u202e"])
def test_reports_are_written_whatever_the_text_holds(texts: list[str]) -> None:
    graded = [_graded(text, f"s{number}") for number, text in enumerate(texts)]
    with tempfile.TemporaryDirectory() as folder:
        paths = write_reports(Path(folder), graded, gradescope=True, context=ClassContext())
        for path in paths:
            path.read_text(encoding="utf-8")
