"""Section 8: choosing size and stride so that as_strided produces a given view of a 4×5 tensor."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tensorlings.exercise import Example, Exercise, OutputPolicy
from tensorlings.judges import Strided

SECTION = "Puzzles with as_strided"

# Values 0..19 stored in order, so every value is also its own offset in memory.
STRIDED_INPUT = torch.arange(20).view(4, 5)
_OUTPUT = OutputPolicy(rtol=0.0, atol=0.0)

SizeStride = tuple[tuple[int, ...], tuple[int, ...]]


def as_strided_1() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (4,), (1,)


def as_strided_2() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (2, 3), (5, 1)


def as_strided_3() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (2, 3), (11, 0)


def as_strided_4() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (4,), (6,)


def as_strided_5() -> tuple[tuple[int, ...], tuple[int, ...]]:
    # The middle axis has size 1, so its stride is never used: any value works.
    return (2, 1, 3), (9, 1, 1)


def as_strided_6() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (2, 2, 2, 2), (12, 4, 2, 1)


def _indent(tensor: torch.Tensor) -> str:
    return "\n".join("    " + line if line else "" for line in repr(tensor).splitlines())


def _prompt(target: torch.Tensor) -> str:
    return (
        "The input is the contiguous int64 tensor\n\n"
        f"{_indent(STRIDED_INPUT)}\n\n"
        "whose 20 values sit in memory in reading order. Find a size and a stride such that "
        "input.as_strided(size, stride) is exactly\n\n"
        f"{_indent(target)}\n\n"
        f"(shape {tuple(target.shape)}). Return them as a pair of tuples of ints, "
        "(size, stride). The result must have exactly this shape, not one that merely "
        "broadcasts to it."
    )


def _puzzle(
    number: int,
    title: str,
    solution: Callable[[], SizeStride],
    target: torch.Tensor,
    hints: tuple[str, ...],
) -> Exercise:
    return Exercise(
        id=f"as_strided_{number}",
        section=SECTION,
        title=title,
        prompt=_prompt(target),
        solution=solution,
        hints=hints,
        # The sheet's own workbook answers in a `test_cases` list, puzzle n at position n.
        judge=Strided(input=STRIDED_INPUT, target=target, sheet_position=number),
        examples=(Example((), target),),
        output=_OUTPUT,
        shapes={"returns": "(size, stride): two tuples of ints, one entry per output axis"},
    )


EXERCISES = (
    _puzzle(
        1,
        "The first four values",
        as_strided_1,
        torch.tensor([0, 1, 2, 3]),
        (
            "How many axes does the target have, and how long is each?",
            "Between two neighbouring values of the target, how many steps do you take "
            "through memory?",
        ),
    ),
    _puzzle(
        2,
        "The top-left corner",
        as_strided_2,
        torch.tensor([[0, 1, 2], [5, 6, 7]]),
        (
            "The size is the target's shape. What is it?",
            "Each value is also its offset in memory. How far apart are neighbours along a row, "
            "and how far apart are neighbours down a column?",
            "Moving down one row of the input skips a whole row: how many values is that?",
        ),
    ),
    _puzzle(
        3,
        "Repeated values",
        as_strided_3,
        torch.tensor([[0, 0, 0], [11, 11, 11]]),
        (
            "Along a row the value never changes. How far do you move in memory to get the "
            "same element again?",
            "Can a stride be 0? What would that mean?",
            "From the first row to the second the value jumps from 0 to 11. What does that say "
            "about the stride of the outer axis?",
        ),
    ),
    _puzzle(
        4,
        "A diagonal",
        as_strided_4,
        torch.tensor([0, 6, 12, 18]),
        (
            "What do the target's values have in common, as offsets in memory?",
            "Going down one row and right one column of the input: how many values does that "
            "skip in memory?",
        ),
    ),
    _puzzle(
        5,
        "An axis of size one",
        as_strided_5,
        torch.tensor([[[0, 1, 2]], [[9, 10, 11]]]),
        (
            "The target has three axes. What is its shape?",
            "Along an axis of size 1 you never take a step. Does its stride matter?",
            "The outer axis jumps from 0 to 9 and the inner one moves a value at a time: which "
            "strides are those?",
        ),
    ),
    _puzzle(
        6,
        "Four axes of two",
        as_strided_6,
        torch.tensor(
            [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]], [[[12, 13], [14, 15]], [[16, 17], [18, 19]]]]
        ),
        (
            "Read the target from the innermost axis outwards: how much does the value grow "
            "with each step along each axis?",
            "The innermost three axes walk through 0..7 in order, like a contiguous 2×2×2 "
            "block. Where does the second block start?",
        ),
    ),
)
