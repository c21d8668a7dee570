"""A .py workbook that does not parse as a whole is cut at its top-level statements: every
part that parses is kept with the file's own line numbers, and the broken part keeps its error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorlings.checker.source import read_workbook

BROKEN_MIDDLE = '''\
import torch


def relu_abs(x):
    return (x + x.abs()) / 2


@staticmethod
def documented(x):
    """A docstring whose text
starts at column 0.
    """
    return x


def batched_softmax(matrix):
    e = matrix.exp(
    return e / e.sum(-1, keepdim=True)


def relu_maximum(x):
    if x is None:
        pass
else_value = 1
'''


def _read(tmp_path: Path, text: str):
    path = tmp_path / "workbook.py"
    path.write_text(text, encoding="utf-8")
    return read_workbook(path)


def test_every_statement_that_parses_is_kept_around_a_broken_one(tmp_path):
    workbook = _read(tmp_path, BROKEN_MIDDLE)
    names = [
        getattr(node, "name", None) for node in workbook.definitions() if hasattr(node, "name")
    ]
    assert names == ["relu_abs", "documented", "relu_maximum"]
    broken = [cell for cell in workbook.cells if cell.syntax_error is not None]
    assert len(broken) == 1
    assert "def batched_softmax" in broken[0].code
    assert broken[0].line == 16 and broken[0].syntax_error.lineno == 17


def test_the_parts_keep_the_files_own_lines_and_text(tmp_path):
    workbook = _read(tmp_path, BROKEN_MIDDLE)
    assert workbook.text == BROKEN_MIDDLE
    by_name = {node.name: node.lineno for node in workbook.definitions() if hasattr(node, "name")}
    lines = BROKEN_MIDDLE.split("\n")
    for name, line in by_name.items():
        assert f"def {name}(" in lines[line - 1] or lines[line - 1].startswith("@")


def test_a_file_that_parses_stays_one_cell(tmp_path):
    workbook = _read(tmp_path, "import torch\n\ndef relu_abs(x):\n    return x.clamp(min=0)\n")
    assert len(workbook.cells) == 1 and workbook.cells[0].tree is not None


def _notebook(tmp_path: Path, *sources: str):
    import json

    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []} for s in sources]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "workbook.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return read_workbook(path)


def test_a_notebook_cell_that_does_not_parse_is_cut_and_named_by_its_own_lines(tmp_path):
    source = "def relu_abs(x):\n    return x(\n\ndef relu_maximum(x):\n    return x\n"
    workbook = _notebook(tmp_path, "import torch\n", source)
    names = [getattr(node, "name", None) for node in workbook.definitions()]
    assert names == [None, "relu_maximum"]
    broken = next(cell for cell in workbook.cells if cell.syntax_error is not None)
    assert broken.part and workbook.where(broken.syntax_error.lineno) == "cell 2, line 2"


def test_a_notebook_cell_with_one_statement_stays_whole(tmp_path):
    workbook = _notebook(tmp_path, "def relu_abs(x):\n    return x(\n")
    assert len(workbook.cells) == 1 and not workbook.cells[0].part


def test_lines_inside_a_syntax_message_are_the_files_own(tmp_path):
    text = 'def relu_abs(x):\n    return x\n\n\ndef relu_maximum(x):\n    s = """open\n'
    broken = next(c for c in _read(tmp_path, text).cells if c.syntax_error is not None)
    assert broken.syntax_error.msg.endswith("(detected at line 6)")


def test_a_byte_that_is_not_utf8_loses_only_its_statement(tmp_path):
    path = tmp_path / "workbook.py"
    path.write_bytes(
        b"def relu_abs(x):\n    return x.abs()  # caf\xe9\n\n"
        b"def relu_where(x\xff):\n    return x\n\ndef relu_maximum(x):\n    return x\n"
    )
    workbook = read_workbook(path)
    names = [getattr(node, "name", None) for node in workbook.definitions()]
    assert names == ["relu_abs", "relu_maximum"]
    assert [(note.line, note.kind) for note in workbook.notes] == [(2, "encoding"), (4, "encoding")]


def test_utf16_text_is_still_refused_whole(tmp_path):
    from tensorlings.errors import WorkbookError

    path = tmp_path / "workbook.py"
    path.write_bytes("def relu_abs(x):\n    return x\n".encode("utf-16"))
    with pytest.raises(WorkbookError, match="not UTF-8"):
        read_workbook(path)


def test_an_upper_case_suffix_is_read_as_its_kind(tmp_path):
    path = tmp_path / "WORKBOOK.PY"  # as a Windows upload may be named; grade accepts it
    path.write_text("def relu_abs(x):\n    return x\n", encoding="utf-8")
    workbook = read_workbook(path)
    assert workbook.kind == "py" and [n.name for n in workbook.definitions()] == ["relu_abs"]


def test_a_line_pasted_with_its_indent_before_the_first_function_loses_only_itself(tmp_path):
    text = "    x = 1  # pasted with its indent\ndef relu_abs(x):\n    return x\n"
    workbook = _read(tmp_path, text + "\n\ndef relu_where(x):\n    return x(\n")
    assert [node.name for node in workbook.definitions()] == ["relu_abs"]
    assert [c.line for c in workbook.cells if c.syntax_error is not None] == [1, 6]


@pytest.mark.slow
def test_a_notebook_cell_with_one_broken_function_has_the_others_judged(tmp_path, zygote):
    from tensorlings.checker.check import check_path

    source = (
        "import torch\n\n\ndef relu_abs(x):\n    return (x + x.abs() / 2 +\n\n\n"
        "def relu_where(x):\n    return torch.where(x > 0, x, 0.0)\n"
    )
    _notebook(tmp_path, source)
    report = check_path(
        tmp_path / "workbook.ipynb", zygote=zygote, exercise_ids=["relu_abs", "relu_where"]
    )
    assert report.error is None
    assert {r.id: r.status for r in report.exercises} == {
        "relu_abs": "failed",
        "relu_where": "passed",
    }
    assert [note.kind for note in report.load_notes] == ["syntax_error"]
    assert "cell 1, lines 4-5 skipped" in report.load_notes[0].message


def test_a_docstring_of_many_paragraphs_at_column_0_is_joined_again(tmp_path):
    paragraphs = "".join(f"Paragraph {n} of the notes, at column 0.\n" for n in range(12))
    documented = f'def relu_abs(x):\n    """Notes.\n{paragraphs}    """\n    return x\n'
    workbook = _read(tmp_path, documented + "\n\ndef relu_where(x):\n    return x(\n")
    assert [node.name for node in workbook.definitions()] == ["relu_abs"]


def test_a_syntax_message_that_ends_in_a_question_gets_no_extra_full_stop(tmp_path: Path) -> None:
    from tensorlings.checker.check import _syntax_problem

    path = tmp_path / "w.py"
    path.write_text("def relu_where(x):\n    return t.where(x > 0 x, 0)\n", encoding="utf-8")
    problem = _syntax_problem(read_workbook(path), "relu_where")
    assert problem is not None
    assert "comma?" in problem.message and "?." not in problem.message
    assert problem.message.endswith("Fix it and check again.")
