"""Reading sheets into cells: Markdown fences, `# %%` scripts, notebooks, and text whose fences
were lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorlings.importing.cells import CellKind, read_sheet
from tensorlings.importing.errors import ImportProblem


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_python_fences_become_code_cells_under_their_heading(tmp_path: Path) -> None:
    sheet = _write(
        tmp_path,
        "s.md",
        "# Title\n\nIntro.\n\n## Masks\n\nText.\n\n```python\ndef f(x):\n    pass\n```\n\n"
        "```sh\npip install torch\n```\n",
    )
    cells = read_sheet(sheet)
    code = [c for c in cells if c.kind is CellKind.CODE]
    assert [c.text for c in code] == ["def f(x):\n    pass"]  # the shell block is not Python
    assert code[0].heading == "Masks"


def test_script_cells_split_on_percent_markers_and_markdown_cells_are_text(tmp_path: Path) -> None:
    sheet = _write(
        tmp_path,
        "s.py",
        "# %% [markdown]\n# # Reductions\n# Some words.\n\n# %%\ndef f(x):\n    ...\n\n"
        "# %%\nassert f(1) == 2\n",
    )
    cells = read_sheet(sheet)
    assert [c.kind for c in cells] == [CellKind.TEXT, CellKind.CODE, CellKind.CODE]
    assert cells[1].heading == "Reductions"


def test_a_notebook_drops_magics_and_keeps_markdown_headings(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["## Broadcasting\n", "Words."]},
            {"cell_type": "code", "source": "!pip install einops\ndef f(x):\n    pass"},
            {"cell_type": "code", "source": 42},  # hostile: not text
        ]
    }
    cells = read_sheet(_write(tmp_path, "s.ipynb", json.dumps(notebook)))
    code = [c for c in cells if c.kind is CellKind.CODE]
    assert code[0].text == "\ndef f(x):\n    pass" and code[0].heading == "Broadcasting"
    assert len(code) == 1


def test_text_without_fences_recovers_code_blocks_between_prose(tmp_path: Path) -> None:
    text = (
        "Reductions\n\nSome prose that explains the task.\n\ndef f(x: int) -> int:\n"
        '    """Docs.\n\n    - a bullet inside the docstring\n    """\n    pass\n\n\n'
        "assert f(1) == 2\n\nMore prose after the code.\n"
    )
    cells = read_sheet(_write(tmp_path, "s.txt", text))
    code = [c for c in cells if c.kind is CellKind.CODE]
    assert (
        len(code) == 1 and code[0].text.startswith("def f") and "assert f(1) == 2" in code[0].text
    )
    assert code[0].heading == "Reductions"


def test_the_seed_sheet_yields_every_stub_def(seed_sheet: Path) -> None:
    code = "\n".join(c.text for c in read_sheet(seed_sheet) if c.kind is CellKind.CODE)
    assert code.count("def relu_") == 5 and "def collect_columns" in code


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.md", None, "does not exist"),
        ("bad.ipynb", "{not json", "is not a notebook"),
        ("list.ipynb", "[1, 2]", "is not a notebook"),
        ("latin.md", b"\xff\xfe\xfa", "cannot be read as UTF-8"),
    ],
)
def test_unreadable_sheets_raise_a_clear_import_problem(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ImportProblem, match=message):
        read_sheet(path)
