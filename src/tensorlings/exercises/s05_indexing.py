"""Section 5: picking values out of tensors with integer-array indexing and gather."""

from __future__ import annotations

import torch

from tensorlings import rule_apis
from tensorlings.exercise import (
    Call,
    Draw,
    DtypePolicy,
    Example,
    Exercise,
    Family,
    Mistake,
    OutputPolicy,
    RandomCases,
    Rules,
    SpecialInput,
)
from tensorlings.exercises._shared import GATHER
from tensorlings.judges import Compare
from tensorlings.rule_apis import Concept

SECTION = "Indexing and gather"

# What the workbook puts in gather_2d's body: the learner only adds asserts around it.
GATHER_2D_STARTER = "out = matrix.gather(1, indexes)\nreturn out"

_SHEET_PRICES = torch.tensor([0.5, 1, 1.5, 2, 2.5])
_SHEET_ITEMS = torch.tensor([0, 0, 1, 1, 4, 3, 2])
_SHEET_MATRIX = torch.arange(15).view(3, 5)


def total_price_indexing(prices: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
    return prices[items].sum()


def gather_2d(matrix: torch.Tensor, indexes: torch.Tensor) -> torch.Tensor:
    assert matrix.ndim == 2 and indexes.ndim == 2, "matrix and indexes must both be 2-D"
    assert indexes.shape[0] == matrix.shape[0], "one row of indexes per row of matrix"
    assert indexes.numel() == 0 or 0 <= indexes.min() <= indexes.max() < matrix.shape[1], (
        "every index must name a column of matrix"
    )
    out = matrix.gather(1, indexes)
    assert out.shape == indexes.shape, "the output has the shape of indexes"
    assert out.dtype == matrix.dtype, "the output holds values of matrix"
    return out


def total_price_gather(prices: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
    return prices.gather(0, items).sum()


def integer_array_indexing(matrix: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
    # One index tensor per axis of matrix: coords[:, 0] for axis 0, coords[:, 1] for axis 1, ...
    return matrix[coords.unbind(dim=1)]


def _make_purchases(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return d.uniform(0.5, 20, "k"), d.integers(0, d.sizes["k"], "n")


def _make_gather_2d(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    matrix = d.integers(-100, 100, "m", "n") if d.dtype == torch.int64 else d.normal("m", "n")
    return matrix, d.integers(0, d.sizes["n"], "m", "k")


def _make_coords(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    ndim = d.sizes["ndim"]
    matrix = d.normal(*["size"] * ndim)
    return matrix, d.integers(0, d.sizes["size"], "batch", ndim)


_PURCHASE_TEXT = (
    "`prices` is a 1-D floating-point tensor of shape (k,): prices[i] is the price of item "
    "kind i. `items` is a 1-D integer tensor of shape (n,) listing the purchases, each entry "
    "an item kind in [0, k); the same kind may be bought several times. Beyond the sheet, "
    "nothing may be bought at all (n = 0), for a total of 0.\n\n"
    "Return the total price of the purchases, as a 0-d tensor or a Python number."
)
_PURCHASE_CASES = RandomCases(make=_make_purchases, sizes={"k": (1, 10), "n": (0, 30)})
_PURCHASE_OUTPUT = OutputPolicy(dtype=DtypePolicy.ANY_NUMERIC, python_number_ok=True)
_PURCHASE_SHAPES = {"prices": "(k,)", "items": "(n,)", "returns": "()"}
_PURCHASE_EXAMPLES = (Example((_SHEET_PRICES, _SHEET_ITEMS), torch.tensor(9.0)),)
# The sheet's customer buys every item at least once, so adding up every price, or each item
# once, gives its answer too: one item bought twice and one never tells all three apart.
_PURCHASE_FIXED = (
    SpecialInput(
        Family.RANDOM,
        "an item bought twice and one never",
        (torch.tensor([1.0, 2.0, 4.0, 8.0]), torch.tensor([2, 0, 2])),
    ),
)
_EXACT = OutputPolicy(rtol=0.0, atol=0.0)
_UNIQUE = Mistake(
    "dropping repeated purchases",
    "items.unique() (or a set) keeps each kind of item once, but a customer who buys the same "
    "item twice pays for it twice: index with items as it is.",
    lambda prices, items: prices[items.unique()].sum(),
)
_ALL_PRICES = Mistake(
    "adding up every price",
    "prices.sum() ignores which items were bought: look each purchase up first.",
    lambda prices, items: prices.sum(),
)

EXERCISES = (
    Exercise(
        id="total_price_indexing",
        section=SECTION,
        title="Total price with integer-array indexing",
        prompt=(
            f"{_PURCHASE_TEXT}\n\n"
            "Look the prices up by indexing `prices` with the integer tensor `items`; "
            "gather, index_select and take are not allowed here."
        ),
        solution=total_price_indexing,
        hints=(
            "If items were a Python list, you would look up each price and add them. What "
            "does indexing a tensor with a whole tensor of integers do?",
            "prices[items] has one entry per purchase. What is left to do with it?",
        ),
        examples=_PURCHASE_EXAMPLES,
        cases=_PURCHASE_CASES,
        mistakes=(_UNIQUE, _ALL_PRICES),
        rules=Rules(
            required=(Call("integer-array indexing (prices[items])", ("int_tensor_index",)),),
            forbidden=(
                Call(
                    "gather, index_select, take or embedding",
                    rule_apis.names(Concept.GATHER),
                ),
            ),
        ),
        output=_PURCHASE_OUTPUT,
        shapes=_PURCHASE_SHAPES,
        special_inputs=_PURCHASE_FIXED,
    ),
    Exercise(
        id="gather_2d",
        section=SECTION,
        title="Understanding gather through asserts",
        prompt=(
            "`matrix` has shape (m, n) and `indexes` is an integer tensor of shape (m, k) whose "
            "entries lie in [0, n); m or k may be 0 (an empty input, beyond the sheet). The "
            "result has shape (m, k) and the dtype of `matrix`, with "
            "out[i][j] = matrix[i][indexes[i][j]].\n\n"
            "The body is already written for you: `out = matrix.gather(1, indexes)`. Your job "
            "is to add at least three assert statements of your own that relate the arguments "
            "to each other and to the output, for example about their number of dimensions, "
            "their sizes, the range of the indexes or the dtype of the result. Every assert "
            "must hold on valid inputs."
        ),
        solution=gather_2d,
        hints=(
            "Which axes of matrix, indexes and out must have the same length, and which may "
            "differ?",
            "What must be true of every value in indexes for the gather to make sense? Be "
            "careful: what do .min() and .max() do on an empty tensor?",
            "Some candidates: matrix.ndim == 2, indexes.shape[0] == matrix.shape[0], "
            "out.shape == indexes.shape, indexes.max() < matrix.shape[1].",
        ),
        examples=(
            Example(
                (_SHEET_MATRIX, torch.tensor([[4], [3], [2]])),
                torch.tensor([[4], [8], [12]]),
            ),
            Example(
                (_SHEET_MATRIX, torch.tensor([[2, 4], [1, 3], [0, 2]])),
                torch.tensor([[2, 4], [6, 8], [10, 12]]),
            ),
        ),
        cases=RandomCases(
            make=_make_gather_2d,
            sizes={"m": (0, 6), "n": (1, 7), "k": (0, 5)},
            dtypes=(torch.float32, torch.int64),
        ),
        output=_EXACT,
        # The exercise teaches writing asserts: three of the learner's own are required.
        judge=Compare(min_learner_asserts=3),
        starter=GATHER_2D_STARTER,
        shapes={"matrix": "(m, n)", "indexes": "(m, k)", "returns": "(m, k)"},
    ),
    Exercise(
        id="total_price_gather",
        section=SECTION,
        title="Total price with gather",
        prompt=f"{_PURCHASE_TEXT}\n\nThis time, look the prices up with gather.",
        solution=total_price_gather,
        hints=(
            "gather picks values along one dimension using a tensor of positions. Along which "
            "dimension of prices are the item kinds?",
            "For 1-D tensors, gather(0, items) gives out[j] = prices[items[j]]. Compare that "
            "with the indexing you used before.",
            "Try prices.gather(0, items).sum().",
        ),
        examples=_PURCHASE_EXAMPLES,
        cases=_PURCHASE_CASES,
        mistakes=(_UNIQUE, _ALL_PRICES),
        rules=Rules(required=(GATHER,)),
        output=_PURCHASE_OUTPUT,
        shapes=_PURCHASE_SHAPES,
        special_inputs=_PURCHASE_FIXED,
    ),
    Exercise(
        id="integer_array_indexing",
        section=SECTION,
        title="Looking up many coordinates at once",
        prompt=(
            "`matrix` is a tensor with any number n >= 1 of axes, shape (d_0, ..., d_{n-1}). "
            "`coords` is an integer tensor of shape (batch, n): each row is the coordinate of "
            "one entry of `matrix`.\n\n"
            "Return a tensor of shape (batch,) and the dtype of `matrix` with "
            "out[b] = matrix[coords[b, 0], coords[b, 1], ..., coords[b, n-1]]. Beyond the "
            "sheet, batch may be 0 (an empty result)."
        ),
        solution=integer_array_indexing,
        hints=(
            "When you index a tensor with several integer tensors of the same shape, one per "
            "axis, what does the result contain?",
            "You need one index tensor per axis of matrix. Where in coords are the positions "
            "along axis 0? Along axis 1?",
            "matrix[tuple(coords.T)] or matrix[coords.unbind(dim=1)] gives one index tensor "
            "per axis.",
        ),
        examples=(
            Example(
                (_SHEET_MATRIX, torch.tensor([[0, 1], [0, 4], [1, 4]])),
                torch.tensor([1, 4, 9]),
            ),
            Example(
                (
                    torch.arange(2 * 3 * 4).view(2, 3, 4),
                    torch.tensor([[0, 0, 0], [0, 1, 1], [0, 2, 2], [1, 0, 3], [1, 2, 0]]),
                ),
                torch.tensor([0, 5, 10, 15, 20]),
            ),
        ),
        cases=RandomCases(
            make=_make_coords,
            sizes={"ndim": (1, 4), "size": (1, 5), "batch": (0, 8)},
        ),
        mistakes=(
            Mistake(
                "indexing with the coordinate rows",
                "matrix[tuple(coords)] or matrix[*coords] takes each row of coords as the "
                "index tensor of one axis, but a row is one point. Transpose first: the index "
                "for axis a is the column coords[:, a] (matrix[tuple(coords.T)]).",
                lambda matrix, coords: matrix[tuple(coords)],
            ),
            Mistake(
                "indexing two axes only",
                "matrix[coords[:, 0], coords[:, 1]] is right for a 2-D matrix only; the number "
                "of axes is not fixed. Give one index tensor per column of coords: "
                "matrix[tuple(coords.T)] (or coords.unbind(1)).",
                lambda matrix, coords: matrix[coords[:, 0], coords[:, 1]],
            ),
            Mistake(
                "indexing only the first axis",
                "matrix[coords] picks whole slices along axis 0, one per entry of coords. Give "
                "one index tensor per axis instead: matrix[tuple(coords.T)].",
                lambda matrix, coords: matrix[coords],
            ),
        ),
        output=_EXACT,
        shapes={"matrix": "(d_0, ..., d_{n-1})", "coords": "(batch, n)", "returns": "(batch,)"},
        # As many points as axes: matrix[tuple(coords)] then has the right shape, and only its
        # values tell it apart (random draws give that shape in about three seeds in four).
        special_inputs=(
            SpecialInput(
                Family.RANDOM,
                "as many points as the matrix has axes",
                (torch.arange(9).view(3, 3), torch.tensor([[0, 2], [1, 0]])),
            ),
        ),
    ),
)
