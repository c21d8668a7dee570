"""Correct solutions to the from_scratch exercises written differently from the references, the
way learners write them: other spellings (unsqueeze, view, a bool-mask multiply, matmul, cat,
expand) and other ideas. The checker must pass every one of them: a false alarm on correct code
is as bad as a missed mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import einops
import torch


def tril_by_multiplying(matrix: torch.Tensor) -> torch.Tensor:
    n, m = matrix.shape
    return matrix * (torch.arange(m) <= torch.arange(n).unsqueeze(1))


def tril_with_masked_fill(matrix: torch.Tensor) -> torch.Tensor:
    above = torch.arange(matrix.shape[1]) > torch.arange(matrix.shape[0]).view(-1, 1)
    return matrix.masked_fill(above, 0)


def triu_with_zeros_like(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    n, m = matrix.shape
    keep = torch.arange(m)[None, :] >= torch.arange(n)[:, None] + offset
    return torch.where(keep, matrix, torch.zeros_like(matrix))


def one_hot_with_where(labels: torch.Tensor, classes: int) -> torch.Tensor:
    return torch.where(labels.unsqueeze(1) == torch.arange(classes), 1, 0)


def one_hot_with_rearrange(labels: torch.Tensor, classes: int) -> torch.Tensor:
    # einops looked up at call time, as a learner's module-level import is after the worker
    # has wrapped einops to record its calls.
    column = einops.rearrange(labels, "n -> n 1")
    return (column == torch.arange(classes)).to(torch.int64)


def bincount_with_view(values: torch.Tensor, bins: int) -> torch.Tensor:
    return (values.view(-1, 1) == torch.arange(bins)).long().sum(0)


def cumsum_by_matmul(x: torch.Tensor) -> torch.Tensor:
    n = x.shape[1]
    upper = torch.arange(n)[:, None] <= torch.arange(n)  # upper[j, i]: j counts towards i
    return x @ upper.to(x.dtype)


def searchsorted_values_first(boundaries: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    return (values.unsqueeze(1) > boundaries).sum(1)


def argmax_with_full_like(x: torch.Tensor) -> torch.Tensor:
    rows, n = x.shape
    is_max = x == x.amax(1, keepdim=True)
    positions = torch.arange(n).expand(rows, n)
    return torch.where(is_max, positions, torch.full_like(positions, n)).amin(1)


def masked_mean_by_multiplying(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    return (x * keep).sum(1) / keep.sum(1)


def masked_mean_in_a_copy(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    kept = x.clone()
    kept[~keep] = 0
    return kept.sum(dim=1) / keep.long().sum(dim=1)


def fliplr_by_subtracting(matrix: torch.Tensor) -> torch.Tensor:
    m = matrix.shape[1]
    return matrix[:, m - 1 - torch.arange(m)]


def roll_with_remainder(x: torch.Tensor, shift: int) -> torch.Tensor:
    return x[:, torch.remainder(torch.arange(x.shape[1]) - shift, x.shape[1])]


def repeat_interleave_by_expanding(x: torch.Tensor, times: int) -> torch.Tensor:
    return x[:, None].expand(x.shape[0], times).reshape(-1)


def tile_by_expanding(x: torch.Tensor, times: int) -> torch.Tensor:
    return x[None, :].expand(times, x.shape[0]).reshape(-1)


def windows_offsets_first(x: torch.Tensor, width: int) -> torch.Tensor:
    return x[torch.arange(width) + torch.arange(len(x) - width + 1).unsqueeze(1)]


def diagonal_by_masking(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    n, m = matrix.shape
    rows = torch.arange(n)
    cols = rows + offset
    inside = (cols >= 0) & (cols < m)
    return matrix[rows[inside], cols[inside]]


def outer_with_unsqueeze(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a.unsqueeze(1) * b.unsqueeze(0)


def cdist_with_powers(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return ((a.unsqueeze(1) - b.unsqueeze(0)) ** 2).sum(-1) ** 0.5


def linspace_in_float64(start: float, end: float, steps: int) -> torch.Tensor:
    gap = (end - start) / (steps - 1) if steps > 1 else 0.0
    return torch.arange(steps, dtype=torch.float64) * gap + start


def pad_with_cat(x: torch.Tensor, before: int, after: int) -> torch.Tensor:
    rows = x.shape[0]
    return torch.cat([x.new_zeros(rows, before), x, x.new_zeros(rows, after)], dim=1)


VARIANTS: list[tuple[str, Callable[..., Any]]] = [
    ("tril", tril_with_masked_fill),
    ("triu", triu_with_zeros_like),
    ("one_hot", one_hot_with_where),
    ("one_hot", one_hot_with_rearrange),
    ("bincount", bincount_with_view),
    ("cumsum", cumsum_by_matmul),
    ("searchsorted", searchsorted_values_first),
    ("argmax", argmax_with_full_like),
    ("masked_mean", masked_mean_in_a_copy),
    ("fliplr", fliplr_by_subtracting),
    ("roll", roll_with_remainder),
    ("repeat_interleave", repeat_interleave_by_expanding),
    ("tile", tile_by_expanding),
    ("windows", windows_offsets_first),
    ("diagonal", diagonal_by_masking),
    ("outer", outer_with_unsqueeze),
    ("cdist", cdist_with_powers),
    ("linspace", linspace_in_float64),
    ("pad", pad_with_cat),
]

# Right on everything the contract asks, wrong only beyond it: multiplying by a 0/1 mask turns
# an infinite entry that should vanish into inf * 0 = nan. The checker passes them with a note.
NOTED_VARIANTS: dict[str, Callable[..., Any]] = {
    "tril": tril_by_multiplying,
    "masked_mean": masked_mean_by_multiplying,
}


def bincount_bin_by_bin(values: torch.Tensor, bins: int) -> torch.Tensor:
    counts = values.new_zeros(bins)
    for k in range(bins):
        counts[k] = (values == k).sum()
    return counts


def masked_mean_row_by_row(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    totals = torch.tensor([torch.where(k, row, 0.0).sum() for row, k in zip(x, keep, strict=True)])
    return totals.to(x.dtype) / keep.sum(1)


# Right answers from allowed calls, but one Python step at a time: the loop rule refuses them.
LOOPING: dict[str, Callable[..., Any]] = {
    "bincount": bincount_bin_by_bin,
    "masked_mean": masked_mean_row_by_row,
}
