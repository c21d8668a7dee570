"""Recover the Python blocks of a sheet whose fences were lost: text copied from a rendered
page, where code and prose alternate with nothing to tell them apart but the code's syntax."""

from __future__ import annotations

import ast
import re
import warnings

_STATEMENT = re.compile(
    r"^(def |class |import |from \S+ import |assert |for |while |if |elif |else:|try:|except|"
    r"finally:|with |return |raise |print\(|@)"
)
# `name = ...`, `a, b = ...`, `x[0] += ...`, or a bare call such as `test_relu(my_relu)`.
_ASSIGNMENT = re.compile(r"^[A-Za-z_][\w.]*(\[[^\]]*\])?(\s*,\s*[A-Za-z_]\w*)*\s*([-+*/]?=)(?!=)")
_CALL = re.compile(r"^[A-Za-z_][\w.]*\(.*\)\s*$")
_CONTINUATION = re.compile(r"^(\s+\S|[)\]}])")
_BULLET = re.compile(r"^ {0,2}(•|[*-]|\d+\.)\s")


def looks_like_code(line: str) -> bool:
    return bool(_STATEMENT.match(line) or _ASSIGNMENT.match(line) or _CALL.match(line))


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in a sheet are not our business
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _grow(lines: list[str], start: int) -> int:
    """The end (exclusive) of the longest run from `start` that could be one code block."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not (looks_like_code(line) or _CONTINUATION.match(line)):
            break
        if _BULLET.match(line):
            break
        end += 1
    return end


def _parsed_prefix(lines: list[str], start: int, end: int) -> int:
    """Shrink [start, end) from the end until it parses; start when nothing does."""
    while end > start:
        while end > start and not lines[end - 1].strip():
            end -= 1
        if end > start and parses("\n".join(lines[start:end])):
            return end
        end -= 1
    return start


def is_heading(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    before = lines[index - 1].strip() if index > 0 else ""
    after = lines[index + 1].strip() if index + 1 < len(lines) else ""
    return (
        0 < len(line) <= 60
        and not before
        and not after
        and line[0].isupper()
        and line[-1] not in ".,:;?!)"
        and not _BULLET.match(line)
    )


def split_unfenced(lines: list[str]) -> list[tuple[bool, str, str, int]]:
    """(is_code, text, heading, first line) for each block, in order."""
    blocks: list[tuple[bool, str, str, int]] = []
    heading, prose_start = "", 1
    prose: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        end = index
        if looks_like_code(line):
            end = _parsed_prefix(lines, index, _grow(lines, index))
        if end > index:
            if "".join(prose).strip():
                blocks.append((False, "\n".join(prose), heading, prose_start))
            blocks.append((True, "\n".join(lines[index:end]), heading, index + 1))
            prose, prose_start, index = [], end + 1, end
            continue
        if is_heading(lines, index):
            if "".join(prose).strip():
                blocks.append((False, "\n".join(prose), heading, prose_start))
            heading, prose, prose_start = line.strip(), [], index + 2
        else:
            prose.append(line)
        index += 1
    if "".join(prose).strip():
        blocks.append((False, "\n".join(prose), heading, prose_start))
    return blocks
