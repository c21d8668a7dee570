"""Each named hostile upload ends as a verdict or a clear message, never a traceback, a hang or a
lost report: Python too deep for the parser, notebooks too deep or too big for the JSON reader
or with cells that are not text, lone surrogates, FIFOs, sockets and devices named like a
workbook, and a header pattern that backtracked for minutes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile import HEADER_BACKTRACK, NOTEBOOKS, PYTHON, SPECIAL

from tensorlings import files
from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport
from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.checker.source import read_workbook
from tensorlings.errors import WorkbookError
from tensorlings.grading.flags import no_exercise_reason, workbook_flag
from tensorlings.grading.model import FLAGS
from tensorlings.packs.header import parse_header, read_header

pytestmark = pytest.mark.timeout(120)  # a hang fails the test instead of stalling the suite

EMPTY_REPORT = CheckReport("x", 0, "2.13.0", "cpu", None, ())


def _write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def _read_or_message(path: Path) -> str | None:
    """None when the workbook was read; else the message it was refused with."""
    try:
        workbook = read_workbook(path)
    except WorkbookError as error:
        assert str(error).strip()
        return str(error)
    for cell in workbook.cells:
        assert "\ud800" not in cell.code and "\udfff" not in cell.code
        if cell.syntax_error is not None:
            assert cell.syntax_error.msg
    return None


@pytest.mark.parametrize("name", list(PYTHON))
def test_hostile_python_is_read_or_refused_with_a_message(tmp_path: Path, name: str) -> None:
    content = PYTHON[name]
    path = _write(tmp_path, "workbook.py", content)
    _read_or_message(path)
    assert read_header(path) is None
    assert workbook_flag(content, notebook=False, report=EMPTY_REPORT) in (*FLAGS, None)
    no_exercise_reason(path, EMPTY_REPORT, ["rearrange_1"])


@pytest.mark.parametrize("name", ["a sum of 100k terms", "deeper than the walks allow"])
def test_python_too_deep_is_a_syntax_error_that_says_so(tmp_path: Path, name: str) -> None:
    workbook = read_workbook(_write(tmp_path, "workbook.py", PYTHON[name]))
    errors = [cell.syntax_error for cell in workbook.cells if cell.syntax_error is not None]
    assert errors and "nested more than 100 levels deep" in errors[0].msg


def test_too_much_code_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    message = _read_or_message(_write(tmp_path, "workbook.py", PYTHON["too much code"]))
    assert message is not None and "of code, more than a workbook's limit of 1 MB" in message


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_hostile_notebooks_are_read_or_refused_with_a_message(tmp_path: Path, name: str) -> None:
    content = NOTEBOOKS[name]
    path = _write(tmp_path, "x.ipynb", content)
    message = _read_or_message(path)
    readable = name in (
        "metadata and outputs of odd types",
        "a lone surrogate in outputs and source",
    )
    assert (message is None) == readable, message
    read_header(path)
    assert workbook_flag(content, notebook=True, report=EMPTY_REPORT) in (*FLAGS, None)
    no_exercise_reason(path, EMPTY_REPORT, ["rearrange_1"])


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("nested 100k deep", "nested far more deeply than a notebook's"),
        ("a source that is a number", "cell 1's source is int data, not text"),
        ("a source that is null", "cell 1's source is NoneType data, not text"),
        ("a source that is a list of numbers", "cell 1's source is list data, not text"),
        ("more values than a notebook needs", "holds more than 2,000,000 values"),
    ],
)
def test_a_broken_notebook_is_refused_with_what_and_what_to_do(
    tmp_path: Path, name: str, words: str
) -> None:
    message = _read_or_message(_write(tmp_path, "x.ipynb", NOTEBOOKS[name]))
    assert message is not None and words in message
    assert "save it" in message


@pytest.mark.parametrize("suffix", ["workbook.py", "x.ipynb"])
@pytest.mark.parametrize("kind", list(SPECIAL))
def test_a_special_file_named_like_a_workbook_is_never_opened(
    tmp_path: Path, kind: str, suffix: str
) -> None:
    path = tmp_path / suffix
    SPECIAL[kind](path)
    with pytest.raises(files.UnreadableFile, match="not a regular file, so it was not read"):
        files.read_bytes(path)
    assert _read_or_message(path) is not None
    assert read_header(path) is None
    assert no_exercise_reason(path, EMPTY_REPORT, ["rearrange_1"]) is None


def test_the_header_is_found_without_backtracking_across_blank_lines(tmp_path: Path) -> None:
    assert parse_header(HEADER_BACKTRACK.decode()) is None
    found = HEADER_BACKTRACK + b"#   tensorlings-pack: from_scratch 1.0\r\n"
    assert parse_header(found.decode()) is not None
    path = _write(tmp_path, "workbook.py", HEADER_BACKTRACK * 3)
    assert read_header(path) is None  # read within its first bytes only


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["a sum of 100k terms", "NUL bytes", "invalid UTF-8", "deeper than the walks allow"]
)
def test_check_gives_hostile_python_a_report(
    tmp_path: Path, zygote: ZygoteHandle, name: str
) -> None:
    report = check_path(_write(tmp_path, "workbook.py", PYTHON[name]), zygote=zygote)
    data = json.loads(json.dumps(report.to_json()))
    assert CheckReport.from_json(data).to_json() == data
    assert report.error is not None or report.exercises


@pytest.mark.slow
def test_code_nested_just_under_the_limit_is_still_judged(
    tmp_path: Path, zygote: ZygoteHandle
) -> None:
    # A chain of 80 conditionals, each inside the last: about 85 levels with the function
    # around it (real code has fewer than 20). Only the first branch ever runs.
    otherwise = " if True else None" * 80
    code = (
        "import torch\nfrom einops import rearrange\n\n\ndef rearrange_1():\n"
        f'    return rearrange(torch.arange(3, 9), "(r c) -> r c", c=2){otherwise}\n'
    )
    report = check_path(_write(tmp_path, "workbook.py", code.encode()), zygote=zygote)
    assert report.error is None
    assert [r.status for r in report.exercises if r.id == "rearrange_1"] == ["passed"]


def test_a_lone_surrogate_becomes_a_replacement_character(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.ipynb", NOTEBOOKS["a lone surrogate in outputs and source"])
    assert "'\ufffd'" in read_workbook(path).text


def test_a_file_not_named_in_utf8_is_still_read(tmp_path: Path) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/\xff.py"))
    path.write_bytes(b"def rearrange_1():\n    return 1\n")
    assert read_workbook(path).cells


def test_a_fifo_as_the_progress_file_is_set_aside_without_waiting(tmp_path: Path) -> None:
    from tensorlings import progress

    path = progress.progress_path(tmp_path)
    path.parent.mkdir()
    os.mkfifo(path)
    loaded = progress.load(tmp_path)
    assert loaded.warning is not None and "not a regular file" in loaded.warning
    assert loaded.exercises == {}
