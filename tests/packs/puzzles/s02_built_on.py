"""Puzzles whose references call the earlier puzzles' references, in the other section file."""

import torch

from tensorlings.exercise import (
    Call,
    Draw,
    DtypePolicy,
    Example,
    Exercise,
    Family,
    OutputPolicy,
    RandomCases,
    SpecialInput,
)

from ._rules import only
from .s01_basics import ones, triu

SECTION = "Built on earlier puzzles"
EXACT = OutputPolicy(dtype=DtypePolicy.INTEGER, rtol=0.0, atol=0.0)


def cumsum(a: torch.Tensor) -> torch.Tensor:
    return a @ triu(a.shape[0])


def outer(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a[:, None] * b[None, :]


def repeat(a: torch.Tensor, d: int) -> torch.Tensor:
    return ones(d)[:, None] * a[None, :]


def _vector(d: Draw) -> tuple[torch.Tensor]:
    return (d.integers(-9, 10, "n"),)


def _two(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return d.integers(-9, 10, "n"), d.integers(-9, 10, "m")


def _repeat(d: Draw) -> tuple[torch.Tensor, int]:
    return d.integers(-9, 10, "n"), d.sizes["d"]


EXERCISES = (
    Exercise(
        id="cumsum",
        section=SECTION,
        title="Running totals",
        prompt="Return the running totals of the int64 vector a. Your triu may help.",
        solution=cumsum,
        hints=("Which matrix, multiplied with a, adds up every entry up to each position?",),
        examples=(Example((torch.tensor([1, 2, 3]),), torch.tensor([1, 3, 6])),),
        cases=RandomCases(make=_vector, sizes={"n": (1, 9)}),
        rules=only(Call("torch.cumsum", ("cumsum",))),
        output=EXACT,
        special_inputs=(SpecialInput(Family.RANDOM, "one entry", (torch.tensor([3]),)),),
    ),
    Exercise(
        id="outer",
        section=SECTION,
        title="The outer product",
        prompt="Return the outer product of the int64 vectors a (n,) and b (m,): shape (n, m).",
        solution=outer,
        hints=("Give a an axis of size 1 on the right (a[:, None]), and b one on the left.",),
        examples=(
            Example(
                (torch.tensor([1, 2]), torch.tensor([3, 4, 5])),
                torch.tensor([[3, 4, 5], [6, 8, 10]]),
            ),
        ),
        cases=RandomCases(make=_two, sizes={"n": (1, 6), "m": (1, 6)}),
        rules=only(Call("torch.outer or a matrix product", ("outer", "ger", "@", "matmul"))),
        output=EXACT,
    ),
    Exercise(
        id="repeat",
        section=SECTION,
        title="Repeat a vector as rows",
        prompt="Return d copies of the int64 vector a as the rows of a (d, n) matrix.",
        solution=repeat,
        hints=("Your ones(d) as a column, times a as a row.",),
        examples=(Example((torch.tensor([1, 2]), 3), torch.tensor([[1, 2], [1, 2], [1, 2]])),),
        cases=RandomCases(make=_repeat, sizes={"n": (1, 6), "d": (1, 5)}),
        rules=only(Call("torch's repeat, tile or expand", ("repeat", "tile", "expand"))),
        output=EXACT,
    ),
)
