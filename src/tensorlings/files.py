"""Reading what a learner or a submission supplies, within bounds.

Any upload may be hostile and its author may have read this file: a FIFO, a socket or a device
named `workbook.py`, a sparse file of gigabytes, a notebook nested past the JSON reader's
recursion limit or built to take many times its size in memory, Python too deep for the parser
or so long that its syntax tree fills the memory, text that holds a lone surrogate. Every
reader of a workbook goes through here, so each of these ends as an UnreadableFile with a
message for the learner (or, for Python, as a SyntaxError that names the cause), never as a
traceback, a hang or a lost report.

    >>> parse_python("x = " + "(" * 50 + "1" + ")" * 50).body[0].lineno
    1
"""

from __future__ import annotations

import ast
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from tensorlings.errors import WorkbookError

# Far above any real workbook (a notebook with saved plots is a few MB); a bigger upload
# (a sparse file of gigabytes) would be read whole into the grader's memory.
MAX_WORKBOOK_BYTES = 64 * 2**20
# Python's syntax tree takes some 600 times the source's size (measured: 4 MiB of `x = 1`
# lines, 2.4 GB and 10 s): the code of a workbook (a .py file, or a notebook's code cells
# together) is bounded far below that. The sheet's whole workbook is about 30 kB.
MAX_CODE_BYTES = 1 * 2**20
# A JSON value costs Python up to ~70 bytes (`{}` is 3 bytes of text): counting the commas and
# brackets bounds the objects a notebook can make before any is made. A notebook holds a few
# per cell and per output line; two million is far beyond a real one.
MAX_NOTEBOOK_ITEMS = 2_000_000
# Nesting of a syntax tree: real code stays under 20 (this repository's deepest file: 18). The
# checker's own tree walks recurse, so a tree deeper than this is refused before any walk.
MAX_SYNTAX_DEPTH = 100
# The workbook header is in the first lines; a huge file is never read whole to find it.
HEADER_BYTES = 256 * 1024

_SURROGATE = re.compile("[\ud800-\udfff]")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


class UnreadableFile(WorkbookError):
    """A file that is not read: not a regular file, too big, not UTF-8, a damaged notebook."""


def read_bytes(path: Path, limit: int = MAX_WORKBOOK_BYTES, *, whole: bool = True) -> bytes:
    """The file's bytes, from a regular file only; more than `limit` bytes is an error, or
    with `whole=False` only the first `limit` bytes are read."""
    try:
        info = os.stat(path)  # follows links: a link to /dev/zero is a device
        _refuse_special(path, info.st_mode)
        if whole and info.st_size > limit:
            raise _too_big(path, info.st_size, limit)
        # O_NONBLOCK: a FIFO swapped in after the look above opens at once, and is refused.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
    with os.fdopen(handle, "rb") as stream:
        _refuse_special(path, os.fstat(handle).st_mode)
        data = stream.read(limit + 1)
    if len(data) > limit:
        if whole:
            raise _too_big(path, len(data), limit)  # it grew while being read
        data = data[:limit]
    return data


def _refuse_special(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((words for test, words in _KINDS if test(mode)), "not a regular file")
    raise UnreadableFile(
        f"{path} is {what}, not a regular file, so it was not read. A workbook is a plain "
        ".py or .ipynb file: give that file itself."
    )


def _too_big(path: Path, size: int, limit: int) -> UnreadableFile:
    return UnreadableFile(
        f"{path} is {_size(size)}, more than a workbook's limit of {_size(limit)}; clear the "
        "notebook's outputs or remove the data pasted into it."
    )


def _size(count: int) -> str:
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{count / 1024:.0f} kB"


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 text (a BOM, as Windows editors save it, is dropped)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"cannot read {path}: it is not UTF-8 text (byte {error.start} is "
            f"{raw[error.start : error.start + 1]!r}). Save it as UTF-8 and try again."
        ) from None


def read_python(path: Path) -> tuple[str, tuple[int, ...]]:
    """A .py workbook's text, within MAX_CODE_BYTES, and the lines that held a byte that is not
    UTF-8. Such a byte (a Latin-1 `é` pasted into a comment) becomes U+FFFD rather than losing
    the whole file: where it breaks the code, only the statement holding it fails to parse.
    UTF-16 text is refused, since every line of it would be damaged."""
    raw = read_bytes(path)
    if len(raw) > MAX_CODE_BYTES:
        raise _too_much_code(path, len(raw))
    if raw.startswith(UTF16_BOMS):
        return decode(path, raw), ()
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    lines = text.split("\n")
    damaged = tuple(number for number, line in enumerate(lines, 1) if _SURROGATE.search(line))
    return (_SURROGATE.sub("\ufffd", text) if damaged else text), damaged


def _too_much_code(path: Path, size: int) -> UnreadableFile:
    return UnreadableFile(
        f"{path} holds {_size(size)} of code, more than a workbook's limit of "
        f"{_size(MAX_CODE_BYTES)}; load data from a file instead of pasting it into the code."
    )


def load_notebook(path: Path, raw: bytes) -> dict[str, Any]:
    """A notebook's JSON object, bounded in the objects it makes and in its nesting."""
    notebook = load_json(path, raw)
    if not is_notebook(notebook):
        raise UnreadableFile(f"{path} is not a Jupyter notebook (no list of cells).")
    return dict(notebook)


def is_notebook(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("cells"), list)


def load_json(path: Path, raw: bytes) -> Any:
    """JSON data, bounded in the objects it makes and in its nesting."""
    items = raw.count(b",") + raw.count(b"[") + raw.count(b"{")
    if items > MAX_NOTEBOOK_ITEMS:
        raise UnreadableFile(
            f"{path} holds more than {MAX_NOTEBOOK_ITEMS:,} values, far more than a notebook "
            "needs; clear its outputs (Jupyter: Edit, Clear Outputs of All Cells) and save it."
        )
    # A stray byte that is not UTF-8 reaches a cell's code as U+FFFD (see cell_sources), and a
    # raw control character in a string (a pasted tab) is read as itself: neither loses the
    # notebook, at most the statement that holds it.
    if raw.startswith(UTF16_BOMS):
        decode(path, raw)
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError as error:
        raise UnreadableFile(
            f"{path} is not a valid notebook: {error}. Open it in Jupyter and save it again."
        ) from None
    except RecursionError:
        raise UnreadableFile(
            f"{path} is not a valid notebook: its JSON is nested far more deeply than a "
            "notebook's. Open it in Jupyter and save it again."
        ) from None


def cell_sources(path: Path, notebook: dict[str, Any], kinds: tuple[str, ...]) -> list[str]:
    """The source of each cell of the given kinds ("code", "markdown"), in order; a lone
    surrogate becomes U+FFFD (it cannot be parsed, encoded or written)."""
    sources = []
    for number, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in kinds:
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise UnreadableFile(
                f"{path} is damaged: cell {number}'s source is {type(source).__name__} "
                "data, not text. Open it in Jupyter and save it again."
            )
        sources.append(_SURROGATE.sub("\ufffd", source))
    if sum(len(source) for source in sources) > MAX_CODE_BYTES:
        raise _too_much_code(path, sum(len(s.encode("utf-8")) for s in sources))
    return sources


def parse_python(code: str) -> ast.Module:
    """The syntax tree of `code`; SyntaxError for code too deep or too odd for the parser,
    as for any other code that cannot be read."""
    if len(code) > MAX_CODE_BYTES:  # its tree alone would take hundreds of MB
        message = f"more than {_size(MAX_CODE_BYTES)} of code, too much to check"
        raise SyntaxError(message, ("<workbook>", 1, 1, ""))
    try:
        tree = ast.parse(code)
    except (RecursionError, MemoryError):
        raise _too_deep(1, code) from None
    except (UnicodeEncodeError, ValueError) as error:  # a lone surrogate; a NUL (Python 3.10)
        raise SyntaxError(f"the code cannot be read ({error})", ("<workbook>", 1, 1, "")) from None
    deep = _too_deep_statement(tree)
    if deep is not None:
        raise _too_deep(deep, code)
    return tree


def _too_deep_statement(tree: ast.Module) -> int | None:
    """The first line of a top-level statement nested deeper than MAX_SYNTAX_DEPTH, if any.
    Walked with a list, not recursion: the tree may be deeper than Python's stack."""
    for statement in tree.body:
        stack: list[tuple[ast.AST, int]] = [(statement, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_SYNTAX_DEPTH:
                return statement.lineno
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _too_deep(line: int, code: str) -> SyntaxError:
    lines = code.split("\n", line)
    text = lines[line - 1][:80] if len(lines) >= line else ""
    return SyntaxError(
        f"the code is nested more than {MAX_SYNTAX_DEPTH} levels deep, too deep to check; "
        "split the expression into steps",
        ("<workbook>", line, 1, text),
    )
