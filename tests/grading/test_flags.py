"""Odd uploads are flagged: empty, not a workbook, untouched template, no code, unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from grading_helpers import SECTION, report

from tensorlings.checker.results import ExerciseResult, FileError
from tensorlings.grading.flags import workbook_flag
from tensorlings.grading.submissions import resolve

STUBS = report(
    "t.py",
    ExerciseResult("rearrange_1", SECTION, "not_started"),
    ExerciseResult("rearrange_2", SECTION, "not_started"),
)
STARTED = report(
    "t.py",
    ExerciseResult("rearrange_1", SECTION, "passed"),
    ExerciseResult("rearrange_2", SECTION, "not_started"),
)
TEMPLATE = b"def rearrange_1():\n    pass\n\n\ndef rearrange_2():\n    pass\n"


def notebook(*cells: tuple[str, str]) -> bytes:
    return json.dumps(
        {"cells": [{"cell_type": kind, "source": text} for kind, text in cells], "nbformat": 4}
    ).encode()


@pytest.mark.parametrize(
    ("content", "is_notebook", "checked", "flag"),
    [
        (b"", False, STUBS, "empty"),
        (b"  \n\n\t\n", False, STUBS, "empty"),
        (None, False, STUBS, "unreadable"),
        (b"\xff\xfe latin-1 \xe9", False, STUBS, "unreadable"),
        (b"def rearrange_1():\n    return 1  # caf\xe9\n", False, STARTED, None),  # one stray byte
        (b"%PDF-1.7\n\x00\x01binary", False, STUBS, "not_a_workbook"),
        ("def rearrange_1():\n".encode("utf-16"), False, STUBS, "unreadable"),
        (b"# my notes\n# nothing else\n", False, STUBS, "no_code"),
        (b'"""Only a docstring."""\n', False, STUBS, "no_code"),
        (b"import numpy\nprint(numpy.ones(3))\n", False, STUBS, "not_a_workbook"),
        (b"def helper(x):\n    return x\n", False, STUBS, "not_a_workbook"),
        (b"Dear professor, here is my homework.", False, STUBS, "not_a_workbook"),
        (TEMPLATE, False, STUBS, "untouched_template"),
        (TEMPLATE, False, STARTED, None),
        (b"rearrange_1 = lambda: 1\n", False, STARTED, None),  # judged: not an odd upload
        (notebook(), True, STUBS, "empty"),
        (notebook(("code", ""), ("markdown", " ")), True, STUBS, "empty"),
        (notebook(("markdown", "# My answers"), ("code", "")), True, STUBS, "no_code"),
        (notebook(("code", "!pip install einops")), True, STUBS, "no_code"),
        (notebook(("code", TEMPLATE.decode())), True, STUBS, "untouched_template"),
        (b'{"cells": [', True, STUBS, "unreadable"),
        (b"def rearrange_1():\n    return 1\n", True, STUBS, "not_a_workbook"),
        (b'{"not": "a notebook"}', True, STUBS, "not_a_workbook"),
    ],
    ids=lambda value: repr(value)[:30] if isinstance(value, bytes) else None,
)
def test_odd_uploads_get_their_flag(
    content: bytes | None, is_notebook: bool, checked: object, flag: str | None
) -> None:
    assert workbook_flag(content, notebook=is_notebook, report=checked, exercise_ids=()) == flag


def test_a_syntax_error_in_a_real_attempt_is_not_flagged() -> None:
    broken = report("t.py", error=FileError("syntax_error", "invalid syntax", 2))
    content = b"def rearrange_1(:\n    return 1\n"
    assert workbook_flag(content, notebook=False, report=broken, exercise_ids=()) is None


def test_submissions_without_a_workbook_are_flagged_by_what_they_hold(tmp_path: Path) -> None:
    (tmp_path / "empty_folder").mkdir()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "screen.png").write_bytes(b"\x89PNG")
    (tmp_path / "essay.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "blank.txt").write_bytes(b"")
    flags = {s.name: s.flag for s in resolve(sorted(tmp_path.iterdir()))}
    assert flags == {
        "blank": "empty",
        "empty_folder": "empty",
        "essay": "not_a_workbook",
        "photos": "not_a_workbook",
    }
