"""Starter pack: one exercise of each kind tensorlings can judge.

Written by `tensorlings pack new`. Edit it, then run `tensorlings pack check PATH` after every
change: it says what is wrong and how to fix it. A learner starts with
`tensorlings init --pack PATH`, and a class is graded with `tensorlings grade --pack PATH ...`.

A pack is a Python module (this file, inside its folder) that sets TITLE, VERSION and
EXERCISES. Every field of Exercise is explained in docs/authoring.md.
"""

from __future__ import annotations

import torch

from tensorlings.exercise import (
    Call,
    Draw,
    DtypePolicy,
    Example,
    Exercise,
    Family,
    Mistake,
    Option,
    OutputPolicy,
    Question,
    RandomCases,
    Rules,
)
from tensorlings.judges import Ask, Draws, Sampling, Strided
from tensorlings.questions import question_solution

TITLE = "Starter pack"
# Raise the version whenever an exercise changes: a workbook made from an older version gets a
# note when it is checked.
VERSION = "0.1"
SECTION = "First steps"


# --- 1. Compare with a reference -------------------------------------------------------------
# The default judge: the learner's function is called on the examples and on random inputs, and
# each output is compared with this reference's.
def row_sums(x: torch.Tensor) -> torch.Tensor:
    return x.sum(dim=1)


def _make_matrix(draw: Draw) -> tuple[torch.Tensor]:
    # `draw.sizes` holds one size per name in RandomCases.sizes; draw.normal uses the seeded
    # generator, so every case can be made again from its seed.
    return (draw.normal("rows", "cols"),)


ROW_SUMS = Exercise(
    id="row_sums",  # the name of the function the learner writes
    section=SECTION,
    title="Sum each row",
    prompt=(
        "`x` is a float tensor of shape (rows, cols). Return a tensor of shape (rows,) whose "
        "entry i is the sum of row i. No Python loops."
    ),
    solution=row_sums,
    hints=(  # questions that lead, most general first
        "Which axis runs along a row: 0 or 1?",
        "torch.sum takes a `dim`: which one leaves one number per row?",
    ),
    examples=(Example((torch.tensor([[1.0, 2.0], [3.0, 4.0]]),), torch.tensor([3.0, 7.0])),),
    cases=RandomCases(make=_make_matrix, sizes={"rows": (1, 6), "cols": (1, 6)}),
    rules=Rules(no_loops=True),
    output=OutputPolicy(dtype=DtypePolicy.SAME),
    # A known mistake, written as the code that makes it: a wrong output equal to what it
    # returns is named in the message.
    mistakes=(
        Mistake(
            "summing the columns",
            "dim=0 adds up each column; the rows are summed along dim=1.",
            lambda x: x.sum(dim=0),
        ),
    ),
    shapes={"x": "(rows, cols)", "returns": "(rows,)"},
)


# --- 2. Statistical sampling ------------------------------------------------------------------
# A sampler `f(probs, n)` returns n indices drawn from probs; its draws are judged by a
# chi-square test, never compared one by one.
def draw_events(probs: torch.Tensor, n: int) -> torch.Tensor:
    running = probs.cumsum(0)
    draws = torch.rand(n) * running[-1]
    return torch.searchsorted(running, draws, right=True).clamp(max=probs.numel() - 1)


_COIN = torch.tensor([0.25, 0.75])

DRAW_EVENTS = Exercise(
    id="draw_events",
    section=SECTION,
    title="Draw events from a distribution",
    prompt=(
        "`probs` holds the probabilities of k events (non-negative, summing to 1). Return an "
        "integer tensor of n independent draws, each the index of the event drawn. Use "
        "torch.rand, not torch.multinomial."
    ),
    solution=draw_events,
    hints=(
        "Cut [0, 1) into k pieces, one per event, as long as its probability: where does a "
        "uniform number land?",
        "torch.cumsum gives the pieces' right ends; torch.searchsorted finds a draw's piece.",
    ),
    examples=(Example((_COIN, 1000), expected=_COIN),),
    rules=Rules(
        required=(Call("torch.rand", ("rand",)),),
        forbidden=(Call("torch.multinomial", ("multinomial",)),),
    ),
    output=OutputPolicy(dtype=DtypePolicy.INTEGER),
    judge=Sampling(
        draws=(
            Draws("a biased coin", _COIN, 20_000, Family.EXAMPLES),
            Draws("four even events", torch.full((4,), 0.25), 20_000, Family.RANDOM),
            Draws("an impossible event", torch.tensor([0.5, 0.0, 0.5]), 20_000, Family.RANDOM),
            # The same call under two seeds: a sampler that ignores the seed draws alike.
            Draws("a biased coin, first seed", _COIN, 2_000, Family.RANDOM),
            Draws("a biased coin, second seed", _COIN, 2_000, Family.RANDOM),
        ),
        reseeded=("a biased coin, first seed", "a biased coin, second seed"),
    ),
    shapes={"probs": "(k,)", "n": "int", "returns": "(n,)"},
)


# --- 3. An as_strided answer ------------------------------------------------------------------
# The learner returns (size, stride); input.as_strided(size, stride) must equal the target.
_STRIDED_INPUT = torch.arange(6)
_STRIDED_TARGET = torch.tensor([[0, 2, 4], [1, 3, 5]])


def every_other() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (2, 3), (1, 2)


EVERY_OTHER = Exercise(
    id="every_other",
    section=SECTION,
    title="Evens above odds",
    prompt=(
        "The input is torch.arange(6). Give the size and stride with which "
        "input.as_strided(size, stride) is [[0, 2, 4], [1, 3, 5]], as (size, stride)."
    ),
    solution=every_other,
    hints=(
        "How many rows and columns does the target have?",
        "Moving one column right, how far do you move through memory? One row down?",
    ),
    examples=(Example((), _STRIDED_TARGET),),
    output=OutputPolicy(rtol=0.0, atol=0.0),
    judge=Strided(input=_STRIDED_INPUT, target=_STRIDED_TARGET),
    shapes={"returns": "(size, stride): two tuples of ints"},
)


# --- 4. Predict the output --------------------------------------------------------------------
# The learner returns the letter of the option that says what the snippet does. The right letter
# is found by running the snippet on the installed torch: exactly one option must match.
_DIVISION = Question(
    snippet="t.tensor([1, 2]) / 2",
    options=(
        Option("a", "tensor([0, 1]): integer division", lambda v: _dtype_is(v, torch.int64)),
        Option("b", "tensor([0.5, 1.0]): true division", lambda v: _dtype_is(v, torch.float32)),
    ),
    explanation="`/` is true division in torch as in Python: integers give a float result.",
)


def _dtype_is(value: object, dtype: torch.dtype) -> bool:
    return isinstance(value, torch.Tensor) and value.dtype == dtype


DIVISION = Exercise(
    id="integer_division",
    section=SECTION,
    title="Dividing integers",
    prompt=(
        "What does `t.tensor([1, 2]) / 2` give?\n\n"
        "(a) tensor([0, 1]): integer division\n(b) tensor([0.5, 1.0]): true division\n\n"
        "Return the letter, such as 'a'."
    ),
    solution=question_solution(_DIVISION),
    hints=("What does 1 / 2 give in Python 3?",),
    judge=Ask(_DIVISION),
    shapes={"returns": "a letter, such as 'a'"},
)


EXERCISES = (ROW_SUMS, DRAW_EVENTS, EVERY_OTHER, DIVISION)
