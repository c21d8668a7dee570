"""The kernel's executed cells turned into a notebook the command-line checker can read.

Each executed cell becomes one code cell, in execution order, so that "cell N" in a message is
the `[N]` the learner sees beside the cell (on a notebook run top to bottom, the same cell
numbers and lines `tensorlings check` gives on the saved file). tensorlings' own statements
(its import, the checks) are blanked line for line, so every other line stays where it was.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tensorlings.checker.source import _PASSTHROUGH_CELL_MAGICS

_MAGIC_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w\s,]*=\s*)?(!(?!=)|%(?=[A-Za-z%]))")
CHECK_MAGIC = "%%check"
RUN_BODY = _PASSTHROUGH_CELL_MAGICS  # cell magics whose body the CLI loads (%%check among them)


@dataclass(frozen=True)
class KernelCell:
    """One executed cell: its execution count and the code as the learner typed it."""

    number: int
    code: str
    parsed: str = ""  # the Python IPython compiled from it (magics turned into calls)


def code_of(cell: str) -> str:
    """What the kernel ran as Python: a `%%check` cell's body runs, other magics do not."""
    lines = cell.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and first.split()[0] not in RUN_BODY:
        return "\n" * (len(lines) - 1)  # another cell magic: its body is not Python to load
    return "\n".join("" if _MAGIC_LINE.match(line) else line for line in lines)


def _own(node: ast.stmt) -> bool:
    """tensorlings' own statement: its import, or one that runs a check. Anything else that
    names tensorlings (`from tensorlings import solutions`) stays, for the checker to judge."""
    if isinstance(node, ast.Import):
        return all(alias.name == "tensorlings" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.module == "tensorlings" and all(a.name == "check" for a in node.names)
    return any(_is_check_call(part) for part in ast.walk(node))


def _is_check_call(node: ast.AST) -> bool:
    """`tensorlings.check(...)`, or `check(...)` as `from tensorlings import check` names it."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "check"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "check"
        and isinstance(func.value, ast.Name)
        and func.value.id == "tensorlings"
    )


def loadable(code: str) -> str:
    """The cell without tensorlings' own statements (its import, the checks), lines kept.

    Everything else stays, as `tensorlings check` would load it from the saved notebook: the
    same top-level code gives the same verdicts (a top-level `exec` is tampering there too).
    The checks must go: run in a worker they would start a check inside the check.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code  # left as written: the checker reports the syntax error as the CLI does
    lines = code.split("\n")
    keep_lines: set[int] = set()
    drop_lines: set[int] = set()
    for node in tree.body:
        span = set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        (drop_lines if _own(node) else keep_lines).update(span)
    for line in drop_lines - keep_lines:  # a line shared with a kept statement stays whole
        lines[line - 1] = ""
    return "\n".join(lines)


def defined_names(code: str) -> set[str]:
    """Top-level function names a cell defines (also `name = lambda ...`)."""
    from tensorlings.checker.static import last_definitions

    try:
        tree = ast.parse(code_of(code))
    except SyntaxError:
        return set()
    return set(last_definitions(tree.body))


def notebook_cells(history: Sequence[KernelCell]) -> list[str]:
    """One code cell per execution count from 1, blank where the kernel ran nothing we keep.

    A cell run again unchanged keeps only its last run, so a notebook run twice loads once.
    """
    if not history:
        return []
    last_run = {cell.code: cell.number for cell in history}
    cells = [""] * max(cell.number for cell in history)
    for cell in history:
        if last_run[cell.code] == cell.number and cell.number > 0:
            cells[cell.number - 1] = loadable(code_of(cell.code))
    return cells


def without_later_definitions(cells: list[str], name: str, cell_number: int) -> list[str]:
    """Blank the definitions of `name` after `cell_number`, so the function checked is the one
    passed (an older definition than the kernel's latest)."""
    result = list(cells)
    for index in range(cell_number, len(result)):
        try:
            tree = ast.parse(result[index])
        except SyntaxError:
            continue
        lines = result[index].split("\n")
        for node in tree.body:
            if name in _bound_names(node):
                for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                    lines[line - 1] = ""
        result[index] = "\n".join(lines)
    return result


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    return set()
