"""Section 1: masks made by comparing a column of positions with a row of positions."""

from __future__ import annotations

import torch

from tensorlings.exercise import (
    Call,
    Draw,
    Example,
    Exercise,
    Family,
    Mistake,
    RandomCases,
    SpecialInput,
)
from tensorlings.packs.from_scratch._common import (
    BASE_IN_WORDS,
    INTEGER_EXACT,
    NO_LOOPS,
    SAME_EXACT,
    an_int,
    draw_entries,
    rules,
)

SECTION = "Masks from two aranges"

_MATRIX = torch.arange(1, 13).view(3, 4)
_ALLOWED = f"{NO_LOOPS} You may only use {BASE_IN_WORDS}."


def tril(matrix: torch.Tensor) -> torch.Tensor:
    rows = torch.arange(matrix.shape[0], device=matrix.device)[:, None]
    cols = torch.arange(matrix.shape[1], device=matrix.device)
    # A 0-d zero of the matrix's own dtype keeps bool and integer matrices as they are.
    return torch.where(cols <= rows, matrix, matrix.new_zeros(()))


def triu(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    rows = torch.arange(matrix.shape[0], device=matrix.device)[:, None]
    cols = torch.arange(matrix.shape[1], device=matrix.device)
    return torch.where(cols - rows >= offset, matrix, matrix.new_zeros(()))


def one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    return (labels[:, None] == torch.arange(classes, device=labels.device)).long()


def bincount(values: torch.Tensor, bins: int) -> torch.Tensor:
    hits = values[:, None] == torch.arange(bins, device=values.device)
    return hits.sum(dim=0)


def _kept_where(matrix: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    return torch.where(keep, matrix, matrix.new_zeros(()))


def _positions(matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.arange(matrix.shape[0])[:, None], torch.arange(matrix.shape[1])


def _strict_tril(matrix: torch.Tensor) -> torch.Tensor:
    rows, cols = _positions(matrix)
    return _kept_where(matrix, cols < rows)


def _upper_for_lower(matrix: torch.Tensor) -> torch.Tensor:
    rows, cols = _positions(matrix)
    return _kept_where(matrix, cols >= rows)


def _offset_reversed(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    rows, cols = _positions(matrix)
    return _kept_where(matrix, cols - rows >= -offset)


def _strict_triu(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    rows, cols = _positions(matrix)
    return _kept_where(matrix, cols - rows > offset)


def _make_matrix(d: Draw) -> tuple[torch.Tensor]:
    return (draw_entries(d, "n", "m"),)


def _make_matrix_offset(d: Draw) -> tuple[torch.Tensor, int]:
    return draw_entries(d, "n", "m"), an_int(d, -3, 3)


def _make_labels(d: Draw) -> tuple[torch.Tensor, int]:
    classes = d.sizes["classes"]
    return d.integers(0, classes, "n"), classes


def _make_counts(d: Draw) -> tuple[torch.Tensor, int]:
    bins = d.sizes["bins"]
    return d.integers(0, bins, "n"), bins


# Multiplying by a 0/1 mask instead of choosing with torch.where turns inf * 0 into nan: right
# on finite matrices, which is all the contract asks, so this only earns a note.
_INFINITE_ABOVE = SpecialInput(
    Family.INFINITE,
    "a matrix holding inf and -inf above its diagonal",
    (torch.tensor([[1.0, torch.inf, -torch.inf], [2.0, 3.0, torch.inf]]),),
)

_MATRIX_SIZES = {"n": (0, 5), "m": (0, 7)}
_MATRIX_TEXT = (
    "`matrix` is a 2-D tensor of shape (n, m) and any dtype (float, integer or bool); n and m "
    "need not be equal, and either may be 0."
)

_TRIL = Exercise(
    id="tril",
    section=SECTION,
    title="The lower triangle",
    prompt=(
        f"{_MATRIX_TEXT}\n\n"
        "Return a tensor of the same shape and dtype in which every entry above the main "
        "diagonal (column index greater than row index) is zero and every other entry is "
        "matrix's own, as torch.tril(matrix) does. An empty matrix gives an empty result of "
        "the same shape. Beyond that, a robust solution also zeroes entries that are infinite "
        "(inf or -inf) above the diagonal.\n\n"
        f"{_ALLOWED} Do not call tril or triu."
    ),
    solution=tril,
    hints=(
        "For the entry in row i and column j, what condition on i and j says 'keep it'?",
        "torch.arange(n)[:, None] is a column of row numbers and torch.arange(m) a row of "
        "column numbers: what shape does comparing them give?",
        "torch.where(mask, matrix, zero) keeps matrix where mask holds. Which zero keeps "
        "matrix's dtype (think of matrix.new_zeros(()))?",
    ),
    examples=(Example((_MATRIX,), torch.tensor([[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]])),),
    cases=RandomCases(
        make=_make_matrix,
        sizes=_MATRIX_SIZES,
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64, torch.bool),
    ),
    rules=rules(Call("tril / triu", ("tril", "triu", "tril_", "triu_"))),
    output=SAME_EXACT,
    shapes={"matrix": "(n, m)", "returns": "(n, m)"},
    special_inputs=(_INFINITE_ABOVE,),
    mistakes=(
        Mistake(
            "dropping the diagonal",
            "The main diagonal belongs to the lower triangle: keep entries whose column is at "
            "most their row (<=), not strictly less (<).",
            _strict_tril,
        ),
        Mistake(
            "the upper triangle",
            "The comparison points the wrong way: the lower triangle keeps entries whose column "
            "index is at most their row index, below and on the diagonal.",
            _upper_for_lower,
        ),
    ),
)

_TRIU = Exercise(
    id="triu",
    section=SECTION,
    title="The upper triangle from a diagonal on",
    prompt=(
        f"{_MATRIX_TEXT} `offset` is a Python int, negative, zero or positive.\n\n"
        "Return a tensor of the same shape and dtype that keeps the entries on and above "
        "diagonal number `offset` and is zero everywhere else, as torch.triu(matrix, offset) "
        "does. Diagonal 0 is the main one (row == column); diagonal k > 0 lies k columns to "
        "the right of it (column - row == k), and diagonal -k lies k rows below it.\n\n"
        f"{_ALLOWED} Do not call tril or triu."
    ),
    solution=triu,
    hints=(
        "Along one diagonal, which quantity made of the row index i and column index j stays "
        "the same?",
        "With rows = torch.arange(n)[:, None] and cols = torch.arange(m), what does "
        "cols - rows hold at each entry?",
        "Keep the entries where cols - rows >= offset: on diagonal `offset` itself and to "
        "its right.",
    ),
    examples=(
        Example((_MATRIX, 1), torch.tensor([[0, 2, 3, 4], [0, 0, 7, 8], [0, 0, 0, 12]])),
        Example((_MATRIX, -1), torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8], [0, 10, 11, 12]])),
    ),
    cases=RandomCases(
        make=_make_matrix_offset,
        sizes=_MATRIX_SIZES,
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64, torch.bool),
    ),
    rules=rules(Call("tril / triu", ("tril", "triu", "tril_", "triu_"))),
    output=SAME_EXACT,
    shapes={"matrix": "(n, m)", "offset": "int", "returns": "(n, m)"},
    mistakes=(
        Mistake(
            "the offset counted the other way",
            "A positive offset moves the kept triangle up and to the right: diagonal k is "
            "where column - row == k. Compare cols - rows with offset, not with -offset (or "
            "rows - cols with offset).",
            _offset_reversed,
        ),
        Mistake(
            "leaving out the offset's own diagonal",
            "Diagonal `offset` itself is kept: compare with >=, not >.",
            _strict_triu,
        ),
    ),
)

_ONE_HOT = Exercise(
    id="one_hot",
    section=SECTION,
    title="One-hot rows",
    prompt=(
        "`labels` is a 1-D int64 tensor of shape (n,) with entries in [0, classes); "
        "`classes` is a Python int >= 1. n may be 0.\n\n"
        "Return an integer tensor of shape (n, classes) whose row i is all zeros except for a "
        "1 in column labels[i], as torch.nn.functional.one_hot(labels, classes) does (it "
        "answers int64; any integer dtype is accepted).\n\n"
        f"{_ALLOWED} Do not call one_hot or scatter."
    ),
    solution=one_hot,
    hints=(
        "Row i has its 1 in column j exactly when what is true of labels[i] and j?",
        "Compare a column made from labels with a row made by torch.arange: which sizes "
        "broadcast to (n, classes)?",
        "(labels[:, None] == torch.arange(classes)) is a bool table; how do you turn True into 1?",
    ),
    examples=(
        Example(
            (torch.tensor([2, 0, 3, 2]), 5),
            torch.tensor([[0, 0, 1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 1, 0, 0]]),
        ),
    ),
    cases=RandomCases(make=_make_labels, sizes={"n": (0, 8), "classes": (1, 6)}),
    rules=rules(Call("one_hot / scatter", ("one_hot", "scatter", "scatter_"))),
    output=INTEGER_EXACT,
    shapes={"labels": "(n,)", "classes": "int", "returns": "(n, classes)"},
    mistakes=(
        Mistake(
            "counting the classes from the labels",
            "The number of columns is the `classes` argument: the largest label present may be "
            "smaller than classes - 1 (labels.max() + 1 gives too few columns then).",
            lambda labels, classes: (labels[:, None] == torch.arange(int(labels.max()) + 1)).long(),
        ),
        Mistake(
            "one row per class",
            "The rows are the labels and the columns the classes: compare labels[:, None] with "
            "torch.arange(classes), not torch.arange(classes)[:, None] with labels.",
            lambda labels, classes: (torch.arange(classes)[:, None] == labels).long(),
        ),
    ),
)

_BINCOUNT = Exercise(
    id="bincount",
    section=SECTION,
    title="Counting each value",
    prompt=(
        "`values` is a 1-D int64 tensor of shape (n,) with entries in [0, bins); `bins` is a "
        "Python int >= 1. n may be 0.\n\n"
        "Return an integer tensor of shape (bins,) whose entry k is how many times k occurs "
        "in values, as torch.bincount(values, minlength=bins) does (it answers int64; any "
        "integer dtype is accepted). One comparison does all the counting.\n\n"
        f"{_ALLOWED} You may also call sum. Do not call bincount, histc, histogram or unique."
    ),
    solution=bincount,
    hints=(
        "If you had a table saying, for every value and every bin, whether the value falls "
        "in that bin, how would you count?",
        "values[:, None] == torch.arange(bins) is that table, of shape (n, bins). Along which "
        "axis do you add it up?",
    ),
    examples=(Example((torch.tensor([1, 3, 1, 0, 1, 5]), 7), torch.tensor([1, 3, 0, 1, 0, 1, 0])),),
    cases=RandomCases(make=_make_counts, sizes={"n": (0, 12), "bins": (1, 6)}),
    rules=rules(
        Call(
            "bincount / histc / histogram / unique",
            ("bincount", "histc", "histogram", "unique", "unique_consecutive"),
        ),
        "sum",
    ),
    output=INTEGER_EXACT,
    shapes={"values": "(n,)", "bins": "int", "returns": "(bins,)"},
    mistakes=(
        Mistake(
            "adding up the wrong axis",
            "Summing along axis 1 of the (n, bins) table counts the bins each value falls in "
            "(always 1); the counts per bin come from summing along axis 0, over the values.",
            lambda values, bins: (values[:, None] == torch.arange(bins)).sum(dim=1),
        ),
        Mistake(
            "counting values at or below each bin",
            "values[:, None] <= torch.arange(bins) counts the values up to k, a running count; "
            "a bin counts the values equal to k.",
            lambda values, bins: (values[:, None] <= torch.arange(bins)).sum(dim=0),
        ),
    ),
)

EXERCISES = (_TRIL, _TRIU, _ONE_HOT, _BINCOUNT)
