"""Read a learner's workbook (.py or .ipynb) into cells of Python the worker can run.

A `.py` file is split at `# %%` markers; a notebook is read code cell by code cell (outputs
ignored). Notebook-only lines (`!pip install`, `%load_ext`) are blanked out with a note, and
each cell is parsed on its own, so one broken cell does not lose the others. A cell that does
not parse (of a `.py` file or a notebook) is cut again at its top-level statements, so one
broken function does not lose the rest of the cell. Line numbers refer to the `.py` file, or
for a notebook to its code cells laid end to end.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from tensorlings import files
from tensorlings.checker.results import LoadNote
from tensorlings.errors import WorkbookError
from tensorlings.files import MAX_WORKBOOK_BYTES as MAX_WORKBOOK_BYTES

_CELL_MARKER = re.compile(r"^#\s*%%")  # at column 0, as VS Code reads it
# `!cmd`, `%magic`, `x = !cmd`: not `!=` or a `% 7` that continues an expression.
_MAGIC = re.compile(r"^(\s*)(?:[A-Za-z_][\w\s,]*=\s*)?(!(?!=)|%(?=[A-Za-z%]))")
# tensorlings' own lines in a notebook (the in-place check and its import), on one line each.
_OWN_LINE = re.compile(
    r"^(\s*)(?:import tensorlings|from tensorlings import check|%load_ext tensorlings"
    r"|(?:[A-Za-z_]\w*\s*=\s*)?tensorlings\.check\([\w\s,='\"]*\))\s*(?:#.*)?$"
)
# %%check is tensorlings' own: its body is the learner's definition, run as any cell.
_PASSTHROUGH_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%check")


@dataclass(frozen=True)
class Cell:
    line: int  # first line of the cell in the file's numbering
    code: str
    number: int  # 1-based cell index
    syntax_error: SyntaxError | None = None
    tree: ast.Module | None = None
    part: bool = False  # cut from a cell that did not parse as a whole


@dataclass
class Workbook:
    path: Path
    kind: str  # "py" or "ipynb"
    cells: list[Cell]
    notes: list[LoadNote] = field(default_factory=list)
    # The first line of each of a notebook's code cells: a part cut from a cell is still
    # named by the learner's cell.
    cell_starts: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(cell.code for cell in self.cells)

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""

    def where(self, line: int) -> str:
        """'line 12', or for a notebook 'cell 3, line 2'."""
        if self.kind != "ipynb":
            return f"line {line}"
        for number, start in reversed(list(enumerate(self.cell_starts, 1))):
            if start <= line:
                return f"cell {number}, line {line - start + 1}"
        return f"line {line}"

    def definitions(self) -> list[ast.stmt]:
        statements: list[ast.stmt] = []
        for cell in self.cells:
            if cell.tree is not None:
                statements.extend(cell.tree.body)
        return statements


def _blank_magics(code: str, first_line: int, notes: list[LoadNote]) -> str:
    lines = code.split("\n")
    stripped = lines[0].strip() if lines else ""
    if stripped.startswith("%%"):
        if stripped.split()[0] in _PASSTHROUGH_CELL_MAGICS:
            lines[0] = ""
        else:
            notes.append(
                LoadNote(first_line, "notebook_line", f"skipped a {stripped.split()[0]} cell")
            )
            return "\n" * (len(lines) - 1)
    for offset, text in enumerate(lines):
        own = _OWN_LINE.match(text)
        if own:  # the checker's own calls never run in the child, and are no learner's mistake
            lines[offset] = f"{own.group(1)}pass"
            continue
        match = _MAGIC.match(text)
        if match and not text.strip().startswith("%%"):
            notes.append(
                LoadNote(
                    first_line + offset,
                    "notebook_line",
                    f"skipped notebook line {text.strip()[:60]!r}",
                )
            )
            lines[offset] = f"{match.group(1)}pass"
    return "\n".join(lines)


def _split_py(text: str) -> list[str]:
    cells: list[list[str]] = [[]]
    for line in text.split("\n"):
        if _CELL_MARKER.match(line) and any(part.strip() for part in cells[-1]):
            cells.append([])
        cells[-1].append(line)
    return ["\n".join(cell) for cell in cells]


def _notebook_cells(path: Path, raw: bytes) -> list[str]:
    return files.cell_sources(path, files.load_notebook(path, raw), ("code",))


# "(detected at line 12)", "after function definition on line 3": lines inside the message.
_LINE_IN_MESSAGE = re.compile(r"\b((?:at|on) line )(\d+)")


@functools.lru_cache(maxsize=512)
def _parse_cell(
    code: str, first_line: int, origin: int = 1
) -> tuple[ast.Module | None, SyntaxError | None]:
    """Parsed once per distinct cell: watch mode re-reads a file where most cells are unchanged.
    Callers must not modify the tree. A line named in an error's message is counted from
    `origin`: the file's first line, or the notebook cell's own first line."""
    try:
        tree = files.parse_python(code)
    except SyntaxError as caught:
        if caught.lineno is not None:
            caught.lineno += first_line - 1
        shift = first_line - origin
        caught.msg = _LINE_IN_MESSAGE.sub(lambda m: f"{m[1]}{int(m[2]) + shift}", caught.msg)
        return None, caught
    ast.increment_lineno(tree, first_line - 1)
    return tree, None


def read_workbook(path: Path) -> Workbook:
    """The workbook's cells, parsed; raises WorkbookError when the file cannot be read."""
    if not path.exists():
        raise WorkbookError(f"{path} does not exist. Run `tensorlings init` to create a workbook.")
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder; give the workbook file inside it.")
    suffix = path.suffix.lower()  # WORKBOOK.PY, as a Windows upload may be named
    if suffix not in (".py", ".ipynb"):
        raise WorkbookError(f"{path} is neither a .py file nor a .ipynb notebook.")
    kind = "ipynb" if suffix == ".ipynb" else "py"
    workbook = Workbook(path=path, kind=kind, cells=[])
    if kind == "ipynb":
        sources = _notebook_cells(path, files.read_bytes(path))
    else:
        text, damaged = files.read_python(path)
        sources = _split_py(text)
        workbook.notes.extend(LoadNote(line, "encoding", NOT_UTF8) for line in damaged)
    line = 1
    for source in sources:
        code = _blank_magics(source, line, workbook.notes)
        origin = line if kind == "ipynb" else 1
        workbook.cell_starts.append(line)
        tree, broken = _parse_cell(code, line, origin)
        if broken is not None:
            workbook.cells.extend(_top_level_parts(code, line, origin, len(workbook.cells) + 1))
        else:
            workbook.cells.append(Cell(line, code, len(workbook.cells) + 1, broken, tree))
        line += code.count("\n") + 1
    return workbook


NOT_UTF8 = (
    "this line holds a byte that is not UTF-8 text, read as \ufffd; save the file as UTF-8 "
    "(your editor's encoding setting)"
)


# A line where a new top-level statement may begin: at column 0, and not one that continues
# the statement before (a closing bracket, `else:`, `except:`...).
STATEMENT_START = re.compile(r"^(?![\s#)\]}]|(?:else|elif|except|finally)\b)\S")
# How many pieces a statement may span when cut wrongly (a decorator, a docstring whose text
# starts at column 0): pieces are joined again until they parse, up to this many.
_MOST_PIECES = 8
# A piece cut inside a triple-quoted string (a docstring of many paragraphs at column 0) may
# be joined to more; those extra joins are counted per cell, which bounds the parsing that a
# hostile file of unclosed strings can ask for.
_EXTRA_JOINS_IN_A_STRING = 64


def _top_level_parts(code: str, first_line: int, origin: int, number: int) -> list[Cell]:
    """A cell that does not parse, cut at its top-level statements: every part that parses is
    kept, and each part that does not keeps its syntax error (with the file's line numbers)."""
    lines = code.split("\n")
    begins = [i for i, text in enumerate(lines) if STATEMENT_START.match(text)]
    # Blank lines and comments before the first statement stay with it; anything else there
    # (a line pasted with its indent) is a part of its own, which must not take the first
    # statement down with it.
    lead = lines[: begins[0]] if begins else []
    quiet = all(not text.strip() or text.lstrip().startswith("#") for text in lead)
    starts = [0] + (begins[1:] if quiet else begins)
    pieces = ["\n".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    parts: list[Cell] = []
    extra = [_EXTRA_JOINS_IN_A_STRING]
    i = 0
    while i < len(pieces):
        where = (first_line + starts[i], origin)
        j, piece, tree, broken = _joined(pieces, i, where, extra)
        parts.append(Cell(where[0], piece, number + len(parts), broken, tree, part=True))
        i = j + 1
    return parts if len(parts) > 1 else [replace(parts[0], part=False)]


def _joined(
    pieces: list[str], i: int, where: tuple[int, int], extra: list[int]
) -> tuple[int, str, ast.Module | None, SyntaxError | None]:
    """(j, code, tree, error) for the first pieces i..j that parse joined; piece i alone, with
    its error, when no join does. `extra` holds the joins past _MOST_PIECES still allowed."""
    j, most = i, _MOST_PIECES
    while j < min(i + most, len(pieces)):
        piece = "\n".join(pieces[i : j + 1])
        tree, broken = _parse_cell(piece, *where)
        if broken is None:
            return j, piece, tree, None
        if j == i and "triple-quoted" in broken.msg:
            most += extra[0]
        if j - i >= _MOST_PIECES:
            extra[0] -= 1
        j += 1
    return (i, pieces[i], *_parse_cell(pieces[i], *where))
