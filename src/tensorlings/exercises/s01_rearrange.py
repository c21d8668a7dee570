"""Section 1: building small tensors from torch.arange with einops.rearrange."""

from __future__ import annotations

import torch
from einops import rearrange

from tensorlings import rule_apis
from tensorlings.exercise import DtypePolicy, Example, Exercise, OutputPolicy, Rules
from tensorlings.exercises._shared import ARANGE, REARRANGE

SECTION = "Building tensors with rearrange"

_RULES = Rules(
    required=(ARANGE, REARRANGE),
    only=("arange", "rearrange"),
    exempt=rule_apis.INSPECTION_LIKE,
    only_advice="Let the arguments of arange and the rearrange pattern do that work.",
)
# arange gives int64; a float arange with the same values is still the right tensor.
_OUTPUT = OutputPolicy(dtype=DtypePolicy.ANY_NUMERIC, rtol=0.0, atol=0.0)


def rearrange_1() -> torch.Tensor:
    return rearrange(torch.arange(3, 9), "(rows cols) -> rows cols", cols=2)


def rearrange_2() -> torch.Tensor:
    return rearrange(torch.arange(1, 7), "(rows cols) -> rows cols", cols=3)


def rearrange_3() -> torch.Tensor:
    return rearrange(torch.arange(1, 7), "n -> 1 n 1")


EXERCISES = (
    Exercise(
        id="rearrange_1",
        section=SECTION,
        title="Pairs in rows",
        prompt=(
            "Return the 3×2 tensor\n\n"
            "    [[3, 4],\n     [5, 6],\n     [7, 8]]\n\n"
            "built from a single torch.arange and a single einops.rearrange. "
            "No tensor literals, no .view or .reshape."
        ),
        solution=rearrange_1,
        hints=(
            "Which consecutive numbers appear, in reading order? "
            "Which torch.arange call makes them?",
            "rearrange can split one axis into two: what pattern turns 6 numbers into 3 rows of 2?",
            "Try rearrange(torch.arange(3, 9), '(r c) -> r c', c=2).",
        ),
        examples=(Example((), torch.tensor([[3, 4], [5, 6], [7, 8]])),),
        rules=_RULES,
        output=_OUTPUT,
        shapes={"returns": "(3, 2)"},
    ),
    Exercise(
        id="rearrange_2",
        section=SECTION,
        title="Two rows of three",
        prompt=(
            "Build the 2×3 tensor\n\n"
            "    [[1, 2, 3],\n     [4, 5, 6]]\n\n"
            "with one torch.arange for the numbers and one einops.rearrange for the shape; "
            "nothing else (no literals, no .view or .reshape)."
        ),
        solution=rearrange_2,
        hints=(
            "Where does the sequence start and stop? Remember arange's end is exclusive.",
            "Name the two output axes in the pattern and tell rearrange the size of one of them.",
        ),
        examples=(Example((), torch.tensor([[1, 2, 3], [4, 5, 6]])),),
        rules=_RULES,
        output=_OUTPUT,
        shapes={"returns": "(2, 3)"},
    ),
    Exercise(
        id="rearrange_3",
        section=SECTION,
        title="Adding axes of size one",
        prompt=(
            "Build the tensor of shape (1, 6, 1)\n\n"
            "    [[[1], [2], [3], [4], [5], [6]]]\n\n"
            "from a torch.arange and an einops.rearrange alone."
        ),
        solution=rearrange_3,
        hints=(
            "How many axes does the result have, and which of them have size 1?",
            "An einops pattern may contain a literal 1 on the right-hand side to add an axis.",
            "Try the pattern 'n -> 1 n 1'.",
        ),
        examples=(Example((), torch.tensor([[[1], [2], [3], [4], [5], [6]]])),),
        rules=_RULES,
        output=_OUTPUT,
        shapes={"returns": "(1, 6, 1)"},
    ),
)
