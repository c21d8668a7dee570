"""Hostile workbook contents, named: each once broke or stalled a reader (a traceback, a hang, a
lost report). The fuzz tests draw from these and mix them; the regression tests pin each one."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path

from tensorlings.files import MAX_CODE_BYTES, MAX_NOTEBOOK_ITEMS, MAX_SYNTAX_DEPTH


def notebook(*sources: object, outputs: object = (), **extra: object) -> bytes:
    """A notebook of code cells with these sources (any JSON value, as a hostile file may)."""
    cells = [
        {"cell_type": "code", "source": source, "metadata": {}, "outputs": list(outputs)}  # type: ignore[call-overload]
        for source in sources
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, **extra}).encode()


# Python the parser cannot build (RecursionError, MemoryError) or the checker cannot walk.
PYTHON = {
    "a sum of 100k terms": b"x = " + b"+".join([b"1"] * 100_000) + b"\n",
    "1000 nested parentheses": b"x = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n",
    "100k unary minus": b"x = " + b"-" * 100_000 + b"1\n",
    "an attribute chain of 50k": b"x = a" + b".b" * 50_000 + b"\n",
    "deeper than the walks allow": (
        b"def rearrange_1():\n    return " + b"-" * (MAX_SYNTAX_DEPTH + 5) + b"1\n"
    ),
    "NUL bytes": b"def rearrange_1():\n    return 1\0\n",
    "too much code": b"x = 1\n" * (MAX_CODE_BYTES // 6 + 1),
    "invalid UTF-8": b"def rearrange_1():\n    return '\xff\xfe'\n",
    "UTF-16 text": "def rearrange_1():\n    return 1\n".encode("utf-16"),
    "a 1 MB line": b"# " + b"x" * (MAX_CODE_BYTES - 100) + b"\n",
}

# Notebooks the JSON reader cannot build, or whose cells are not text.
NOTEBOOKS = {
    "nested 100k deep": b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a source that is a number": notebook(7),
    "a source that is null": notebook(None),
    "a source that is a dict": notebook({"def rearrange_1()": "return 1"}),
    "a source that is a list of numbers": notebook([1, 2, 3]),
    "cells that are not a list": b'{"cells": {"0": "x"}}',
    "metadata and outputs of odd types": notebook(
        "def rearrange_1():\n    return 1\n", outputs=[None, 3, [["\ud800"]]], metadata=7
    ),
    "a lone surrogate in outputs and source": notebook(
        "def rearrange_1():\n    return '\ud800'\n",
        outputs=[{"output_type": "stream", "text": ["\udfff\ud800"]}],
    ),
    "more values than a notebook needs": (b'{"cells": [' + b"{}," * MAX_NOTEBOOK_ITEMS + b"{}]}"),
    "not JSON": b"\x89PNG\r\n\x1a\n\0\0",
}

# A header pattern that may span lines backtracked across every blank comment line.
HEADER_BACKTRACK = b"#\n" * 128 * 1024


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the socket file stays, with nothing listening


def make_dev_zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def make_folder(path: Path) -> None:
    path.mkdir()


# Not regular files, named like workbooks: none may be opened for reading.
SPECIAL: dict[str, Callable[[Path], None]] = {
    "a FIFO": make_fifo,
    "a socket": make_socket,
    "a link to /dev/zero": make_dev_zero_link,
    "a folder": make_folder,
}
