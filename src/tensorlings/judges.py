"""The ways an exercise is judged, one type each, as data: what to judge with (a sampler's
distributions, a strided puzzle's input and target, a question), never how. How each is judged
lives in the checker's one registry (tensorlings.checker.strategies), which nothing here imports.

>>> Compare().kind, Compare(min_learner_asserts=3).min_learner_asserts
('function', 3)
>>> Strided(input=torch.arange(4), target=torch.tensor([0, 2])).kind
'strided'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import torch

if TYPE_CHECKING:
    from tensorlings.exercise import Family, Question


class Judge:
    """What every judge holds; the defaults are those of a function that is called."""

    kind: ClassVar[str] = "function"
    min_learner_asserts: int = 0

    def returns(self) -> str | None:
        """The return annotation a workbook stub shows instead of the reference's, if any."""
        return None

    def reference_answer(self) -> str | None:
        """The answer a workbook's reference returns when it is not the solution's own code."""
        return None


@dataclass(frozen=True)
class Compare(Judge):
    """Call the learner's function on inputs and compare with the reference's outputs.

    `min_learner_asserts`: the learner must also write this many asserts of their own that
    relate the arguments and the output (an exercise that teaches asserting shapes).
    """

    kind: ClassVar[str] = "function"
    min_learner_asserts: int = 0


@dataclass(frozen=True)
class Draws:
    """One call of a sampler: a distribution, how many draws, and which probe family it is.

    `probs` is a tensor, or a function of a seeded generator that makes one.
    """

    label: str
    probs: torch.Tensor | Callable[[torch.Generator], torch.Tensor]
    n: int
    family: Family


@dataclass(frozen=True)
class Sampling(Judge):
    """A sampler `f(probs, n)` judged by a statistical test of its draws.

    `reseeded` names two calls of `draws` that differ only in the seed: a sampler whose two
    samples are equal ignores the seed. A mistake's `run(probs)` gives the probability of each
    value the mistaken sampler returns.
    """

    kind: ClassVar[str] = "sampling"
    draws: tuple[Draws, ...]
    reseeded: tuple[str, str] | None = None


@dataclass(frozen=True)
class Strided(Judge):
    """An `as_strided` puzzle: the function returns `(size, stride)`, and
    `input.as_strided(size, stride)` must equal `target`.

    `sheet_position`: where the answer sits in a `test_cases` list of (size, stride) pairs, for
    workbooks that answer the sheet's way (1 for the first entry); None when there is no such list.
    """

    kind: ClassVar[str] = "strided"
    input: torch.Tensor
    target: torch.Tensor
    sheet_position: int | None = None


@dataclass(frozen=True)
class Ask(Judge):
    """A predict-the-output question: the function returns the letter of an option."""

    kind: ClassVar[str] = "question"
    question: Question

    def returns(self) -> str | None:
        return "str"

    def reference_answer(self) -> str | None:
        from tensorlings.questions import correct_letter  # runs the snippet: torch, on demand

        return correct_letter(self.question)
