"""Section 2: running totals, insertion points and argmax, each a comparison and a reduction."""

from __future__ import annotations

import math

import torch

from tensorlings.exercise import (
    Call,
    Draw,
    Example,
    Exercise,
    Family,
    Mistake,
    OutputPolicy,
    RandomCases,
    SpecialInput,
    Tiers,
)
from tensorlings.packs.from_scratch._common import (
    BASE_IN_WORDS,
    INTEGER_EXACT,
    NO_LOOPS,
    draw_entries,
    rules,
)

SECTION = "Comparisons that reduce"

_ALLOWED = f"{NO_LOOPS} You may only use {BASE_IN_WORDS}"


def cumsum(x: torch.Tensor) -> torch.Tensor:
    positions = torch.arange(x.shape[1], device=x.device)
    # upto[i, j] holds when position j counts towards the total at position i.
    upto = positions[None, :] <= positions[:, None]
    return torch.where(upto, x[:, None, :], x.new_zeros(())).sum(dim=-1)


def searchsorted(boundaries: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    below = boundaries[None, :] < values[:, None]
    return below.sum(dim=1)


def argmax(x: torch.Tensor) -> torch.Tensor:
    is_max = x == x.amax(dim=1, keepdim=True)
    positions = torch.arange(x.shape[1], device=x.device)
    # Positions that are not a maximum become n, larger than any real one, so the smallest
    # remaining position is the first maximum.
    return torch.where(is_max, positions, x.shape[1]).amin(dim=1)


def masked_mean(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    total = torch.where(keep, x, x.new_zeros(())).sum(dim=1)
    # A row that keeps nothing is 0 / 0: nan, as the mean of no numbers is.
    return total / keep.sum(dim=1)


def _total_where(x: torch.Tensor, upto: torch.Tensor) -> torch.Tensor:
    return torch.where(upto, x[:, None, :], x.new_zeros(())).sum(dim=-1)


def _exclusive_cumsum(x: torch.Tensor) -> torch.Tensor:
    positions = torch.arange(x.shape[1])
    return _total_where(x, positions[None, :] < positions[:, None])


def _cumsum_from_the_right(x: torch.Tensor) -> torch.Tensor:
    positions = torch.arange(x.shape[1])
    return _total_where(x, positions[None, :] >= positions[:, None])


def _last_argmax(x: torch.Tensor) -> torch.Tensor:
    is_max = x == x.amax(dim=1, keepdim=True)
    return torch.where(is_max, torch.arange(x.shape[1]), -1).amax(dim=1)


def _argmax_without_keepdim(x: torch.Tensor) -> torch.Tensor:
    # Broadcasts row r's maximum along axis 1, so it lines up with column r: wrong when the
    # input is square, an error otherwise.
    is_max = x == x.amax(dim=1)
    return torch.where(is_max, torch.arange(x.shape[1]), x.shape[1]).amin(dim=1)


def _argmax_filled_with_rows(x: torch.Tensor) -> torch.Tensor:
    is_max = x == x.amax(dim=1, keepdim=True)
    return torch.where(is_max, torch.arange(x.shape[1]), len(x)).amin(dim=1)


def _make_rows(d: Draw) -> tuple[torch.Tensor]:
    return (draw_entries(d, "rows", "n"),)


def _make_ties(d: Draw) -> tuple[torch.Tensor]:
    # Few distinct values, so that rows often hold their maximum more than once.
    return (d.integers(0, 4, "rows", "n").to(d.dtype),)


def _make_search(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    # Half-integers on a small range: values often equal a boundary, where < and <= differ.
    boundaries, values = d.integers(0, 12, "k").sort().values, d.integers(-1, 14, "n")
    if d.dtype.is_floating_point:
        return boundaries.to(d.dtype) / 2, values.to(d.dtype) / 2
    return boundaries.to(d.dtype), values.to(d.dtype)


def _make_masked(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return d.normal("rows", "n"), d.uniform(0, 1, "rows", "n") < 0.6


_CUMSUM = Exercise(
    id="cumsum",
    section=SECTION,
    title="Running totals through a triangle",
    prompt=(
        "`x` is a 2-D tensor of shape (rows, n), float or integer; n may be 0.\n\n"
        "Return a tensor of the same shape whose entry [r, i] is x[r, 0] + ... + x[r, i], the "
        "running total along each row, as torch.cumsum(x, dim=1) does (same dtype for float "
        "and int64 inputs). Build a triangular mask that says which "
        "positions count towards which total.\n\n"
        f"{_ALLOWED}; you may also call sum and matmul. Do not call cumsum."
    ),
    solution=cumsum,
    hints=(
        "Which positions j count towards the running total at position i?",
        "A (n, n) mask with mask[i, j] = (j <= i) is a lower triangle. How can broadcasting "
        "pair every x[r, j] with every total i, so that the mask picks what to add?",
        "torch.where(mask, x[:, None, :], 0) has shape (rows, n, n); which axis do you sum "
        "over? (x @ mask.T, with the mask converted to x's dtype, works too.)",
    ),
    examples=(
        Example(
            (torch.tensor([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, -3.0]]),),
            torch.tensor([[1.0, 3.0, 6.0, 10.0], [0.5, -0.5, 1.5, -1.5]]),
        ),
    ),
    cases=RandomCases(
        make=_make_rows,
        sizes={"rows": (1, 4), "n": (0, 9)},
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64,),
        grad_args=(0,),
    ),
    # Masks and sums carry gradients, so the rebuilt cumsum must too.
    tiers=Tiers.contract_also(Family.GRADIENTS),
    rules=rules(
        Call("cumsum", ("cumsum", "cumsum_", "cumulative_trapezoid")), "sum", "matmul", "@"
    ),
    shapes={"x": "(rows, n)", "returns": "(rows, n)"},
    # One column: the only input where a squeeze() dropping axis 1 shows (seed 0 never draws it).
    special_inputs=(
        SpecialInput(Family.RANDOM, "a single column", (torch.tensor([[2.0], [-1.5]]),)),
    ),
    mistakes=(
        Mistake(
            "leaving out each position's own entry",
            "Every running total includes the entry at its own position: the mask must hold "
            "for j <= i, not only j < i.",
            _exclusive_cumsum,
        ),
        Mistake(
            "running totals from the right end",
            "The mask is the wrong triangle (or the sum runs over the wrong axis): it adds the "
            "entries at and after each position. The total at i adds positions 0 to i.",
            _cumsum_from_the_right,
        ),
    ),
)

_SEARCHSORTED = Exercise(
    id="searchsorted",
    section=SECTION,
    title="Where each value would go",
    prompt=(
        "`boundaries` is a sorted 1-D tensor of shape (k,) and `values` a 1-D tensor of shape "
        "(n,) of the same dtype (float or integer); k or n may be 0.\n\n"
        "Return an integer tensor of shape (n,) whose entry i is the position at which "
        "values[i] would be inserted into boundaries to keep it sorted, before any boundary "
        "equal to it: the number of boundaries strictly smaller than values[i]. This is "
        "torch.searchsorted(boundaries, values) (int64; any integer dtype is accepted).\n\n"
        f"{_ALLOWED}; you may also call sum. Do not call searchsorted or bucketize."
    ),
    solution=searchsorted,
    hints=(
        "For one value, how does counting the boundaries below it give its insertion point?",
        "Compare every value with every boundary at once: which shapes do boundaries and "
        "values need so that the comparison is a (n, k) table?",
        "Is a boundary equal to the value counted? Choose between < and <= with that in mind.",
    ),
    examples=(
        Example(
            (torch.tensor([1, 3, 3, 6, 8]), torch.tensor([0, 3, 4, 8, 9, 6])),
            torch.tensor([0, 1, 3, 4, 5, 3]),
        ),
    ),
    cases=RandomCases(
        make=_make_search,
        sizes={"k": (0, 7), "n": (0, 8)},
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64,),
    ),
    rules=rules(Call("searchsorted / bucketize", ("searchsorted", "bucketize")), "sum"),
    output=INTEGER_EXACT,
    shapes={"boundaries": "(k,)", "values": "(n,)", "returns": "(n,)"},
    # One value: the only input where a squeeze() of the result shows (seed 0 never draws it).
    special_inputs=(
        SpecialInput(
            Family.RANDOM, "a single value", (torch.tensor([1, 3, 3, 6]), torch.tensor([3]))
        ),
    ),
    mistakes=(
        Mistake(
            "inserting after equal boundaries",
            "Counting the boundaries <= the value puts it after the boundaries equal to it "
            "(searchsorted's right=True); the default puts it before them: count the "
            "boundaries strictly below (<).",
            lambda boundaries, values: (boundaries[None, :] <= values[:, None]).sum(dim=1),
        ),
        Mistake(
            "counting per boundary instead of per value",
            "The table has one row per value and one column per boundary; summing along axis "
            "0 counts, for each boundary, the values above it. Sum along the boundaries' axis.",
            lambda boundaries, values: (boundaries[None, :] < values[:, None]).sum(dim=0),
        ),
    ),
)

_ARGMAX = Exercise(
    id="argmax",
    section=SECTION,
    title="The first position of the maximum",
    prompt=(
        "`x` is a 2-D tensor of shape (rows, n) with n >= 1, float or integer; rows may be "
        "0.\n\n"
        "Return an integer tensor of shape (rows,) whose entry r is the position of the "
        "largest entry of row r; when the largest value occurs more than once, the first of "
        "its positions. This is torch.argmax(x, dim=1) (int64; any integer dtype is "
        "accepted).\n\n"
        f"{_ALLOWED}; you may also call amax and amin (the largest and smallest value along "
        "an axis). Do not call argmax, argmin, max, min, sort or topk: max and min along an "
        "axis hand you the positions as well."
    ),
    solution=argmax,
    hints=(
        "Which entries of a row are 'a maximum'? How do you compare every entry with its "
        "own row's largest value?",
        "x.amax(dim=1) has shape (rows,): does it broadcast against x row by row, or does it "
        "need keepdim=True?",
        "Among the positions that hold the maximum, you want the smallest. What can you put "
        "in place of the other positions so that amin ignores them?",
    ),
    examples=(
        Example((torch.tensor([[1, 3, 3], [2, 2, 1], [0, 5, 5]]),), torch.tensor([1, 0, 1])),
        Example(
            (torch.tensor([[0.5, -1.0, 2.0, 4.0], [7.0, 1.0, 1.5, -0.5]]),),
            torch.tensor([3, 0]),
        ),
    ),
    cases=RandomCases(
        make=_make_ties,
        sizes={"rows": (0, 5), "n": (1, 7)},
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64,),
    ),
    rules=rules(
        Call(
            "argmax / argmin / max / min / sort / topk",
            ("argmax", "argmin", "max", "min", "sort", "argsort", "topk", "kthvalue"),
        ),
        "amax",
        "amin",
    ),
    output=INTEGER_EXACT,
    shapes={"x": "(rows, n)", "returns": "(rows,)"},
    mistakes=(
        Mistake(
            "the last of tied maxima",
            "When a row holds its largest value more than once, argmax answers the first "
            "position that holds it, not the last: take the smallest such position.",
            _last_argmax,
        ),
        Mistake(
            "forgetting keepdim",
            "x.amax(dim=1) has shape (rows,), which broadcasts along the last axis: it lines "
            "row r's maximum up with column r, not with row r (and fails when rows != n). "
            "Use x.amax(dim=1, keepdim=True), of shape (rows, 1).",
            _argmax_without_keepdim,
        ),
        Mistake(
            "a filler smaller than some positions",
            "The value put in place of the positions that are not a maximum must be larger "
            "than every real position, so at least n = x.shape[1]; len(x) is the number of "
            "rows, and where it is smaller than a row's first maximum, amin picks it instead.",
            _argmax_filled_with_rows,
        ),
    ),
)

_MASKED_MEAN = Exercise(
    id="masked_mean",
    section=SECTION,
    title="The mean of the kept entries",
    prompt=(
        "`x` is a float tensor of shape (rows, n) and `keep` a bool tensor of the same shape; "
        "rows or n may be 0.\n\n"
        "Return a tensor of shape (rows,) and x's dtype whose entry r is the mean of the "
        "entries x[r, j] where keep[r, j] is True. A row that keeps nothing has no mean: "
        "its entry is nan (0 divided by 0). Beyond that, a robust solution "
        "ignores dropped entries even when they are infinite (inf or -inf).\n\n"
        f"{_ALLOWED}; you may also call sum. Do not call mean, nanmean or masked_select."
    ),
    solution=masked_mean,
    hints=(
        "A mean is a total divided by a count. Which total and which count, for one row?",
        "How do you add up only the kept entries of each row, with the other ones counted as 0?",
        "How many entries does each row keep? (A bool tensor sums to its number of Trues.)",
    ),
    examples=(
        Example(
            (
                torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [1.0, 1.0, 1.0, 1.0]]),
                torch.tensor(
                    [
                        [True, False, True, False],
                        [False, False, False, True],
                        [False, False, False, False],
                    ]
                ),
            ),
            torch.tensor([2.0, 8.0, math.nan]),
        ),
    ),
    cases=RandomCases(
        make=_make_masked,
        sizes={"rows": (0, 4), "n": (0, 8)},
        dtypes=(torch.float32,),
        other_dtypes=(torch.float64,),
    ),
    rules=rules(
        Call("mean / nanmean / masked_select", ("mean", "nanmean", "masked_select")), "sum"
    ),
    output=OutputPolicy(),
    shapes={"x": "(rows, n)", "keep": "(rows, n)", "returns": "(rows,)"},
    # Dropped entries that are infinite: x * keep makes them inf * 0 = nan, torch.where does not.
    special_inputs=(
        SpecialInput(
            Family.INFINITE,
            "rows whose dropped entries are inf or -inf",
            (
                torch.tensor([[1.0, -torch.inf, 3.0], [torch.inf, 4.0, -torch.inf]]),
                torch.tensor([[True, False, True], [False, True, False]]),
            ),
        ),
    ),
    mistakes=(
        Mistake(
            "dividing by the row length",
            "Zeroing the dropped entries and taking the ordinary mean divides by n, the whole "
            "row's length; the mean of the kept entries divides by how many were kept.",
            lambda x, keep: torch.where(keep, x, 0.0).sum(dim=1) / x.shape[1],
        ),
        Mistake(
            "the mean of the dropped entries",
            "keep is True where an entry counts: use it as it is, not inverted.",
            lambda x, keep: torch.where(~keep, x, 0.0).sum(dim=1) / (~keep).sum(dim=1),
        ),
    ),
)

EXERCISES = (_CUMSUM, _SEARCHSORTED, _ARGMAX, _MASKED_MEAN)
