"""`tensorlings reset ID`: put one exercise's stub back in the workbook (.py or .ipynb).

Only the lines of that function change; every other byte of the file stays as it was, and the
file as it was is kept next to it (`workbook.py.bak`). The function is found as the checker
finds it: its last top-level definition, or the part of the file that defines it and does not
parse.
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path
from typing import Any

from tensorlings.checker.source import STATEMENT_START, Workbook, read_workbook
from tensorlings.errors import WorkbookError


def function_lines(workbook: Workbook, exercise_id: str) -> tuple[int, int] | None:
    """First and last line (the workbook's numbering) of the exercise's function, decorators
    included; None when the workbook does not define it."""
    found = None
    for statement in workbook.definitions():
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and (
            statement.name == exercise_id
        ):
            first = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
            found = (first, statement.end_lineno or statement.lineno)
    if found is not None:
        return found
    for cell in workbook.cells:
        if cell.tree is None and f"def {exercise_id}(" in cell.code:
            return _broken_lines(cell.code.split("\n"), cell.line, exercise_id)
    return None


def _broken_lines(lines: list[str], first: int, exercise_id: str) -> tuple[int, int] | None:
    """In a cell that does not parse: from `def ID(` to before the next top-level statement."""
    start = next(
        (i for i, text in enumerate(lines) if text.startswith(f"def {exercise_id}(")), None
    )
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and not STATEMENT_START.match(lines[end]):
        end += 1
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and comments at column 0 after it belong to what follows
    return first + start, first + end - 1


def _replaced(code: str, first: int, last: int, stub: str) -> str:
    """`code` with its lines first..last (1-based) replaced by the stub, in the code's own line
    endings."""
    lines = code.split("\n")
    ending = "\r" if lines[first - 1].endswith("\r") else ""
    new = [line + ending for line in stub.rstrip("\n").split("\n")]
    return "\n".join(lines[: first - 1] + new + lines[last:])


def _json_style(raw: str, notebook: Any) -> dict[str, Any]:
    """The json.dumps options that wrote this notebook, so the rewrite changes only the cell."""
    for indent in (1, 2, 4, None):
        for sort_keys in (False, True):
            for ascii_only in (False, True):
                style: dict[str, Any] = {
                    "indent": indent,
                    "sort_keys": sort_keys,
                    "ensure_ascii": ascii_only,
                }
                if json.dumps(notebook, **style) == raw.rstrip("\n"):
                    return style
    return {"indent": 1, "ensure_ascii": False}


def _reset_notebook(raw: str, first: int, last: int, stub: str) -> str:
    notebook = json.loads(raw)
    style = _json_style(raw, notebook)
    line = 1
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        code = "".join(source) if isinstance(source, list) else str(source)
        count = code.count("\n") + 1
        if line <= first < line + count:
            new = _replaced(code, first - line + 1, last - line + 1, stub)
            cell["source"] = new.splitlines(keepends=True) if isinstance(source, list) else new
            break
        line += count
    ending = raw[len(raw.rstrip("\n")) :]
    return json.dumps(notebook, **style) + ending


def reset(path: Path, exercise_id: str, stub: str) -> Path:
    """Put the stub in place of the exercise's function; returns where the old file was kept."""
    workbook = read_workbook(path)
    span = function_lines(workbook, exercise_id)
    if span is None:
        raise WorkbookError(
            f"{path} defines no function {exercise_id}: there is nothing to reset. "
            f"`tensorlings show {exercise_id}` shows its signature to start from."
        )
    data = path.read_bytes()
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    raw = data[len(bom) :].decode("utf-8")
    if workbook.kind == "ipynb":
        new = _reset_notebook(raw, *span, stub)
    else:
        new = _replaced(raw, *span, stub)
    backup = path.with_name(path.name + ".bak")
    backup.write_bytes(data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(bom + new.encode("utf-8"))
    tmp.replace(path)
    return backup


def cmd_reset(args: argparse.Namespace) -> int:
    from tensorlings import cli_common, workbook
    from tensorlings.confirm import confirmed
    from tensorlings.exercise_ids import refuse_unknown

    path = cli_common.find_workbook(args.path)
    refuse_unknown([args.id], getattr(args, "pack", None), path)
    exercise = cli_common.pack_for(getattr(args, "pack", None), path).get(args.id)
    console = cli_common.console()
    question = f"Replace your {exercise.id} in {path} with its stub?"
    if not confirmed(question, args.yes, f"resetting {exercise.id}"):
        console.print("Nothing changed.")
        return 0
    backup = reset(path, exercise.id, workbook.stub(exercise))
    console.print(
        f"{exercise.id} is back to its stub in {path}; the file as it was is kept in {backup}."
    )
    return 0


def add_reset_parser(sub: Any) -> None:
    from tensorlings.cli_common import add_pack_option

    command = sub.add_parser("reset", help="put one exercise's stub back in your workbook")
    command.add_argument("id", help="exercise id (`tensorlings list` shows them)")
    command.add_argument("path", nargs="?", help="workbook (default: workbook.py here)")
    command.add_argument("--yes", action="store_true", help="do not ask before replacing")
    add_pack_option(command)
    command.set_defaults(func=cmd_reset)
