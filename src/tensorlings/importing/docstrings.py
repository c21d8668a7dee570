"""What a stub's docstring states about each argument: its named dimensions ("shape (b, n)"),
its rank ("a 1D tensor"), the range of its integer values ("an integer in [0..m)"), and the
shape it returns."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_SHAPE = re.compile(r"shape\s*\(([^)]*)\)", re.IGNORECASE)
_RANGE = re.compile(r"\[\s*(-?\d+)\s*(?:\.{2,3}|,)\s*([A-Za-z_]\w*|-?\d+)\s*\)")
_RANK = re.compile(r"\b([1-4])[ -]?D\b")
_RETURNS = re.compile(r"^\s*Returns?\s*:\s*(?:shape\s*)?\(([^)]*)\)", re.IGNORECASE | re.MULTILINE)
_ELLIPSIS = ("...", "…")


@dataclass(frozen=True)
class ArgText:
    """What the docstring says about one argument; None where it says nothing."""

    dims: tuple[str, ...] | None  # named or numeric, with "..." where any number may follow
    rank: int | None
    value_range: tuple[int, str] | None  # [low, high): high is a number or a dimension's name
    probabilities: bool
    positive: bool
    text: str


def describe(docstring: str, name: str, earlier: dict[str, ArgText]) -> ArgText | None:
    line = _line_about(docstring, name)
    if line is None:
        return None
    if re.search(r"\bas above\b", line, re.IGNORECASE) and name in earlier:
        return earlier[name]
    shape = _SHAPE.search(line)
    rank = _RANK.search(line)
    value_range = _RANGE.search(line)
    return ArgText(
        dims=parse_dims(shape.group(1)) if shape else None,
        rank=int(rank.group(1)) if rank else None,
        value_range=(int(value_range.group(1)), value_range.group(2)) if value_range else None,
        probabilities=bool(re.search(r"probabilit", line, re.IGNORECASE)),
        positive=bool(re.search(r"\b(?:positive|non-?negative)\b", line, re.IGNORECASE)),
        text=line.strip(),
    )


def from_annotation(annotation: ast.expr | None) -> ArgText | None:
    """Named dimensions written in a type: torchtyping's `TT["b", "n"]`, jaxtyping's
    `Float[Tensor, "b n"]` ("*batch" and "..." stand for any number of axes)."""
    if not isinstance(annotation, ast.Subscript):
        return None
    parts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
    words = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    if not words:
        return None
    if (len(words) == 1 and " " in words[0].strip()) or (len(parts) == 2 and len(words) == 1):
        words = words[0].split()
    dims = tuple("..." if w == "..." or w.startswith("*") else w for w in words)
    text = ast.unparse(annotation)
    return ArgText(dims, None, None, False, False, text)


def returned_dims(docstring: str) -> tuple[str, ...] | None:
    match = _RETURNS.search(docstring)
    return parse_dims(match.group(1)) if match else None


def parse_dims(text: str) -> tuple[str, ...]:
    dims = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        dims.append("..." if part in _ELLIPSIS else part)
    return tuple(dims)


def _line_about(docstring: str, name: str) -> str | None:
    """The docstring's paragraph that starts with `name:` (joined with its continuation)."""
    lines = docstring.split("\n")
    for index, line in enumerate(lines):
        if re.match(rf"^\s*[-*]?\s*`?{re.escape(name)}`?\s*(\([^)]*\))?\s*:", line):
            text = [line]
            for more in lines[index + 1 :]:
                if not more.strip() or re.match(r"^\s*[-*]?\s*`?\w+`?\s*:", more):
                    break
                text.append(more)
            return " ".join(text)
    return None
