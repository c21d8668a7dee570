"""Where a live function's source is: which executed cell defined it, or which file.

The function object itself is only asked for its name and where its code was compiled from;
its source is recovered from the kernel's history (or a file), never from running it.
"""

from __future__ import annotations

import linecache
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any

from tensorlings.errors import TensorlingsError
from tensorlings.notebook.cells import CHECK_MAGIC, KernelCell, code_of, defined_names


class NotebookError(TensorlingsError):
    """A check asked for wrongly; shown in a notebook as its message alone, no traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"tensorlings: {self}"]


class SourceUnavailable(NotebookError):
    """The function's source cannot be recovered, so it cannot be checked in isolation."""


@dataclass(frozen=True)
class Found:
    """Where a function was defined: a cell of this kernel (`cell`), a file (`path`), or, for a
    function nested in a file, its own source with the file's imports (`source`)."""

    cell: int | None = None
    path: Path | None = None
    source: str | None = None


def _compiled_text(fn: Any) -> tuple[str, str]:
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__name__", repr(fn))
    if code is None:
        raise SourceUnavailable(
            f"{name} is not a Python function (built in, or written in C), so there is no "
            "source to check. Pass the function you wrote."
        )
    filename = code.co_filename
    text = "".join(linecache.getlines(filename))
    return filename, text


def _same_cell(cell: str, text: str) -> bool:
    cell, text = cell.rstrip("\n"), text.rstrip("\n")
    if cell == text:
        return True
    first, _, body = cell.partition("\n")
    return first.strip().startswith(CHECK_MAGIC) and body.rstrip("\n") == text


def locate(fn: Any, name: str, history: Sequence[KernelCell]) -> Found:
    """The cell (latest first) whose code compiled `fn`, or the .py file it came from."""
    filename, text = _compiled_text(fn)
    if text:
        for cell in reversed(history):
            compiled = _same_cell(cell.code, text) or cell.parsed.rstrip("\n") == text.rstrip("\n")
            if compiled and name in defined_names(cell.code):
                return Found(cell=cell.number)
    elif filename.startswith("<") and filename != "<string>":
        # Compiled by a cell magic (%%time's "<timed exec>", %%capture): the latest cell that
        # defines the name and compiles to the very same bytecode.
        for cell in reversed(history):
            if name in defined_names(cell.code) and _same_code(fn.__code__, code_of(cell.code)):
                return Found(cell=cell.number)
    path = Path(filename)
    lam = getattr(fn, "__name__", "") == "<lambda>"
    if path.suffix == ".py" and path.is_file() and not _is_cell_file(path) and not lam:
        if getattr(fn, "__qualname__", name) == getattr(fn, "__name__", name):
            return Found(path=path)
        return Found(source=_nested_source(fn, path))
    raise SourceUnavailable(_why_not(fn, name, filename))


def _nested_source(fn: Any, path: Path) -> str:
    """A function defined inside another (a test, a script's main): its own source, moved to
    the top level, after the file's top-level imports."""
    import ast
    import inspect
    import textwrap

    try:
        own = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, TypeError, SyntaxError, UnicodeDecodeError) as error:
        raise SourceUnavailable(
            f"the source of {fn.__name__} cannot be read from {path}: {error}"
        ) from None
    imports = [
        ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    return "\n".join([*imports, "", own])


def _same_code(code: CodeType, cell: str) -> bool:
    """Whether compiling the cell makes a function with `code`'s name, bytecode and constants."""
    try:
        module = compile(cell, "<cell>", "exec")
    except (SyntaxError, ValueError):
        return False
    for const in module.co_consts:
        if isinstance(const, CodeType) and const.co_name == code.co_name:
            plain = [c for c in const.co_consts if not isinstance(c, CodeType)]
            theirs = [c for c in code.co_consts if not isinstance(c, CodeType)]
            return const.co_code == code.co_code and plain == theirs
    return False


def _is_cell_file(path: Path) -> bool:
    """ipykernel writes each cell's code to a temporary file of its own."""
    return path.parent.name.startswith("ipykernel_")


def _why_not(fn: Any, name: str, filename: str) -> str:
    label = getattr(fn, "__name__", name)
    if label == "<lambda>":
        how = "it is a lambda not assigned to a name in a cell; define it with def in a cell"
    elif filename.startswith("<") and "ipython-input" not in filename:
        how = f"it was made by exec or eval ({filename}); define it with def in a cell"
    else:
        how = "no executed cell of this kernel holds its definition any more; run its cell again"
    return (
        f"the source of {label} cannot be recovered ({how}). The checker runs your code "
        "from its source in an isolated process, never in this kernel."
    )
