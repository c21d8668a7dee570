"""A .py workbook that does not parse as a whole is cut at its top-level statements: every
part that parses is kept with the file's own line numbers, and the broken part keeps its error."""

from __future__ import annotations

from pathlib import Path

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


def test_a_notebook_cell_that_does_not_parse_is_not_cut(tmp_path):
    import json

    source = "def relu_abs(x):\n    return x(\n\ndef relu_maximum(x):\n    return x\n"
    notebook = {
        "cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "workbook.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    workbook = read_workbook(path)
    assert len(workbook.cells) == 1 and workbook.cells[0].syntax_error is not None
