"""Read a sheet (Markdown, plain text, a `.py` script with or without `# %%` cells, or a
notebook) into one list of cells: code or text, each with the heading it sits under."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tensorlings.importing.errors import ImportProblem
from tensorlings.importing.textcode import split_unfenced

# A sheet larger than this is not a sheet; reading it whole would only waste memory.
_MAX_BYTES = 8 * 1024 * 1024
_FENCE = re.compile(r"^(```|~~~)\s*([\w+-]*)\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


class CellKind(enum.Enum):
    CODE = "code"
    TEXT = "text"


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    text: str
    heading: str  # the nearest heading above the cell ("" before the first one)
    line: int  # where the cell starts in the sheet, 1-based, for the report


def read_text(path: Path) -> str:
    """The sheet's text, or an ImportProblem that says why it cannot be read."""
    if not path.is_file():
        what = "does not exist" if not path.exists() else "is not a regular file"
        raise ImportProblem(f"{path} {what}.", "Give the path of a .md, .txt, .py or .ipynb file.")
    if path.stat().st_size > _MAX_BYTES:
        raise ImportProblem(f"{path} is larger than 8 MiB.", "import one sheet at a time.")
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportProblem(
            f"{path} cannot be read as UTF-8 text ({error}).", "Save it as UTF-8."
        ) from None


def read_sheet(path: Path) -> list[Cell]:
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return _notebook_cells(path, text)
    if suffix == ".py":
        return _script_cells(text)
    return _markdown_cells(text)


def _markdown_cells(text: str) -> list[Cell]:
    lines = text.split("\n")
    if not any(_FENCE.match(line) for line in lines):
        # No fences: text copied from a rendered page. Its code is recovered by parsing.
        return [
            Cell(CellKind.CODE if is_code else CellKind.TEXT, body, heading, start)
            for is_code, body, heading, start in split_unfenced(lines)
        ]
    cells: list[Cell] = []
    heading, fence, language, start = "", "", "", 1
    body: list[str] = []
    for number, line in enumerate(lines, 1):
        match = _FENCE.match(line)
        if fence and match and match.group(1) == fence and not match.group(2):
            if language in ("", "python", "py", "python3"):
                cells.append(Cell(CellKind.CODE, "\n".join(body), heading, start))
            fence, body = "", []
        elif fence:
            body.append(line)
        elif match:
            _flush_text(cells, body, heading, start)
            fence, language, start, body = match.group(1), match.group(2).lower(), number + 1, []
        else:
            title = _MD_HEADING.match(line)
            if title:
                _flush_text(cells, body, heading, start)
                heading, body, start = title.group(1), [], number + 1
            else:
                body.append(line)
    _flush_text(cells, body, heading, start)
    return cells


def _flush_text(cells: list[Cell], body: list[str], heading: str, start: int) -> None:
    if "".join(body).strip():
        cells.append(Cell(CellKind.TEXT, "\n".join(body), heading, start))
    body.clear()


_PY_CELL = re.compile(r"^#\s*%%(.*)$")
_PY_MARKDOWN = re.compile(r"^#\s*%%\s*\[markdown\]", re.IGNORECASE)


def _script_cells(text: str) -> list[Cell]:
    """`# %%` starts a cell; `# %% [markdown]` a text cell of comment lines; a comment line
    `# # Title` (or the text after `# %%`) is a heading."""
    cells: list[Cell] = []
    heading, start, body, markdown = "", 1, [], False
    for number, line in enumerate(text.split("\n") + ["# %%"], 1):
        match = _PY_CELL.match(line)
        if not match:
            body.append(line)
            continue
        chunk = "\n".join(body)
        if markdown:
            prose = "\n".join(re.sub(r"^#\s?", "", row) for row in body)
            heading = _heading_in(prose) or heading
            if prose.strip():
                cells.append(Cell(CellKind.TEXT, prose, heading, start))
        elif chunk.strip():
            heading = _heading_in(_leading_comments(body)) or heading
            cells.append(Cell(CellKind.CODE, chunk, heading, start))
        markdown = bool(_PY_MARKDOWN.match(line))
        title = match.group(1).strip()
        if title and not markdown:
            heading = title
        start, body = number + 1, []
    return cells


def _leading_comments(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        out.append(re.sub(r"^\s*#\s?", "", line))
    return "\n".join(out)


def _heading_in(prose: str) -> str:
    for line in prose.split("\n"):
        title = _MD_HEADING.match(line.strip())
        if title:
            return title.group(1)
    return ""


def _notebook_cells(path: Path, text: str) -> list[Cell]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportProblem(
            f"{path} is not a notebook: its JSON does not parse ({error}).",
            "Open and save it in Jupyter, or export it as a .py script.",
        ) from None
    raw = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ImportProblem(f"{path} is not a notebook: it has no list of cells.")
    cells: list[Cell] = []
    heading = ""
    for index, cell in enumerate(raw, 1):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        if cell.get("cell_type") == "markdown":
            heading = _heading_in(source) or heading
            cells.append(Cell(CellKind.TEXT, source, heading, index))
        elif cell.get("cell_type") == "code":
            # Notebook magics and shell lines are not Python; the rest of the cell is.
            code = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
            )
            cells.append(Cell(CellKind.CODE, code, heading, index))
    return cells
