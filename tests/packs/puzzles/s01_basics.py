"""Puzzles built from arange, where and operators alone."""

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

SECTION = "Basics"
EXACT = OutputPolicy(dtype=DtypePolicy.INTEGER, rtol=0.0, atol=0.0)
# Size 1, where a squeeze() shows: judged under every seed.
ONE = (SpecialInput(Family.RANDOM, "size 1", (1,)),)


def ones(i: int) -> torch.Tensor:
    return torch.arange(i) * 0 + 1


def sum(a: torch.Tensor) -> torch.Tensor:
    return ones(a.shape[0]) @ a[:, None]


def eye(j: int) -> torch.Tensor:
    return torch.where(torch.arange(j)[:, None] == torch.arange(j), 1, 0)


def triu(j: int) -> torch.Tensor:
    return torch.where(torch.arange(j)[:, None] <= torch.arange(j), 1, 0)


def _size(d: Draw) -> tuple[int]:
    return (d.sizes["n"],)


def _vector(d: Draw) -> tuple[torch.Tensor]:
    return (d.integers(-9, 10, "n"),)


EXERCISES = (
    Exercise(
        id="ones",
        section=SECTION,
        title="A vector of ones",
        prompt="Return a vector of i ones (int64). Use only torch.arange and operators.",
        solution=ones,
        hints=("What does arange(i) * 0 give?",),
        examples=(Example((3,), torch.tensor([1, 1, 1])),),
        cases=RandomCases(make=_size, sizes={"n": (1, 9)}),
        rules=only(Call("torch.ones", ("ones", "ones_like", "new_ones", "full", "full_like"))),
        output=EXACT,
        special_inputs=ONE,
    ),
    Exercise(
        id="sum",
        section=SECTION,
        title="The sum of a vector",
        prompt="Return the sum of the int64 vector a, as a vector of shape (1,). Use @.",
        solution=sum,
        hints=("What is a vector of ones @ a?",),
        examples=(Example((torch.tensor([1, 2, 3]),), torch.tensor([6])),),
        cases=RandomCases(make=_vector, sizes={"n": (1, 9)}),
        rules=only(Call("torch.sum", ("sum", "nansum"))),
        output=EXACT,
        shapes={"a": "(n,)", "returns": "(1,)"},
    ),
    Exercise(
        id="eye",
        section=SECTION,
        title="The identity matrix",
        prompt="Return the j x j identity matrix (int64), from torch.arange and comparisons.",
        solution=eye,
        hints=("When is a row position equal to a column position?",),
        examples=(Example((3,), torch.eye(3, dtype=torch.int64)),),
        cases=RandomCases(make=_size, sizes={"n": (1, 9)}),
        rules=only(Call("torch.eye", ("eye",))),
        output=EXACT,
        special_inputs=ONE,
    ),
    Exercise(
        id="triu",
        section=SECTION,
        title="The upper triangle",
        prompt="Return the j x j matrix (int64) with ones on and above the diagonal.",
        solution=triu,
        hints=("When is a row position at most a column position?",),
        examples=(Example((3,), torch.tensor([[1, 1, 1], [0, 1, 1], [0, 0, 1]])),),
        cases=RandomCases(make=_size, sizes={"n": (1, 9)}),
        rules=only(Call("torch.triu", ("triu", "tril"))),
        output=EXACT,
        special_inputs=ONE,
    ),
)
