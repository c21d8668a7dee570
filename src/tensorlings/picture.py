"""A picture of a failing case: small grids of expected and actual values, differences marked.

One data model for every view (the terminal's rich tables, the notebook's HTML): the checker
stores plain values in a problem's `details["picture"]`; `picture_of` turns a problem into
grids to draw. Large tensors are cut to a window around the first difference.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

PICTURE_LIMIT = 144  # elements stored per tensor: a 12 x 12 grid at most
WINDOW = 12  # rows and columns drawn


def _plain(value: float | int | bool) -> float | int | str:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no nan or inf
    return value


def picture_data(
    expected: torch.Tensor, actual: torch.Tensor, close: torch.Tensor
) -> dict[str, Any] | None:
    """The data `picture_of` draws, for a values mismatch of two same-shape tensors."""
    if actual.numel() > PICTURE_LIMIT or actual.shape != expected.shape:
        return None
    flat = ~close.reshape(-1)
    return {
        "shape": list(actual.shape),
        "expected": [_plain(v) for v in expected.detach().cpu().reshape(-1).tolist()],
        "actual": [_plain(v) for v in actual.detach().cpu().reshape(-1).tolist()],
        "differs": [int(i) for i in flat.nonzero().reshape(-1).tolist()],
    }


@dataclass(frozen=True)
class Grid:
    """One tensor drawn as rows of cells; `marked` holds (row, column) of the cells to mark."""

    title: str
    rows: tuple[tuple[str, ...], ...]
    marked: frozenset[tuple[int, int]]
    note: str = ""  # what was left out, or how the rows map to a tensor's axes


@dataclass(frozen=True)
class Picture:
    grids: tuple[Grid, ...]
    caption: str


def cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value + 0.0:.4g}"  # + 0.0: no "-0"
    return str(value)


def _as_rows(shape: Sequence[int]) -> tuple[int, int, str]:
    """A tensor of any rank as a 2-D grid: (rows, columns, note on how to read it)."""
    if len(shape) == 0:
        return 1, 1, ""
    if len(shape) == 1:
        return 1, shape[0], ""
    columns = shape[-1]
    rows = math.prod(shape[:-1])
    note = "" if len(shape) == 2 else f"rows run over the first {len(shape) - 1} axes"
    return rows, columns, note


def _window(total: int, first: int) -> range:
    start = max(0, min(first - 2, total - WINDOW))
    return range(start, min(total, start + WINDOW))


def _grid(
    title: str, values: Sequence[Any], shape: Sequence[int], differs: set[int], first: int
) -> Grid:
    rows, columns, note = _as_rows(shape)
    if columns == 0 or rows == 0:
        return Grid(title, (), frozenset(), "empty")
    row_range = _window(rows, first // columns)
    col_range = _window(columns, first % columns)
    drawn = []
    marked = set()
    for r_index, r in enumerate(row_range):
        drawn.append(tuple(cell_text(values[r * columns + c]) for c in col_range))
        for c_index, c in enumerate(col_range):
            if r * columns + c in differs:
                marked.add((r_index, c_index))
    if len(row_range) < rows or len(col_range) < columns:
        cut = f"rows {row_range.start}-{row_range.stop - 1}, columns {col_range.start}-"
        note = (note + "; " if note else "") + f"{cut}{col_range.stop - 1} of {rows}x{columns}"
    return Grid(title, tuple(drawn), frozenset(marked), note)


def narrowed(grid: Grid, keep: int) -> Grid:
    """The grid cut to `keep` columns (from just before its first marked cell), its note saying
    how many were left out: a screen too narrow for the whole window still shows the difference."""
    total = max((len(row) for row in grid.rows), default=0)
    keep = max(keep, 1)
    if keep >= total:
        return grid
    first = min((c for _, c in grid.marked), default=0)
    start = max(0, min(first - 1, total - keep))
    rows = tuple(row[start : start + keep] for row in grid.rows)
    marked = frozenset((r, c - start) for r, c in grid.marked if start <= c < start + keep)
    hidden = total - keep
    words = f"{hidden} of the {total} columns drawn left out to fit the width"
    return Grid(grid.title, rows, marked, f"{grid.note}; {words}" if grid.note else words)


def _compared(data: Mapping[str, Any]) -> Picture | None:
    try:
        shape = [int(s) for s in data["shape"]]
        differs = {int(i) for i in data["differs"]}
        expected, actual = list(data["expected"]), list(data["actual"])
    except (KeyError, TypeError, ValueError):
        return None
    if len(expected) != math.prod(shape) or len(actual) != len(expected):
        return None
    first = min(differs) if differs else 0
    grids = (
        _grid("expected", expected, shape, differs, first),
        _grid("actual", actual, shape, differs, first),
    )
    count = len(differs)
    return Picture(grids, f"shape {tuple(shape)}: {count} of {len(actual)} cells differ (marked)")


_STRIDED_CALL = re.compile(r"as_strided\(size=(\([^)]*\)), stride=(\([^)]*\))\)")


def _strided(problem_call: str, strided_input: torch.Tensor) -> Picture | None:
    """Memory as the view walks it: the 20 stored values with the ones read marked."""
    match = _STRIDED_CALL.search(problem_call)
    if match is None:
        return None
    try:
        size, stride = ast.literal_eval(match.group(1)), ast.literal_eval(match.group(2))
        view = strided_input.as_strided(size, stride)
        offsets = torch.arange(strided_input.numel()).as_strided(size, stride)
    except (ValueError, SyntaxError, RuntimeError, TypeError):
        return None
    if view.numel() > PICTURE_LIMIT:
        return None
    memory = strided_input.reshape(-1).tolist()
    read = {int(i) for i in offsets.reshape(-1).tolist()}
    per_row = 10
    layout = Grid(
        "memory",
        tuple(
            tuple(cell_text(v) for v in memory[start : start + per_row])
            for start in range(0, len(memory), per_row)
        ),
        frozenset((i // per_row, i % per_row) for i in read),
        f"offsets in reading order, {per_row} a row",
    )
    flat = view.reshape(-1).tolist()
    shaped = _grid(f"the view {tuple(size)}", flat, list(size), set(), 0)
    caption = f"size={tuple(size)}, stride={tuple(stride)} reads the marked offsets"
    return Picture((layout, shaped), caption)


def picture_of(problem: Any, strided_input: torch.Tensor | None = None) -> list[Picture]:
    """The pictures of one problem: its compared values, and for as_strided its layout."""
    pictures = []
    details = problem.details or {}
    data = details.get("picture")
    if isinstance(data, Mapping):
        compared = _compared(data)
        if compared is not None:
            pictures.append(compared)
    if strided_input is not None and problem.call:
        strided = _strided(problem.call, strided_input)
        if strided is not None:
            pictures.insert(0, strided)
    return pictures
