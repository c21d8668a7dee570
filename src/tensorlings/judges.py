"""The ways an exercise is judged, one type each: the one place the checker dispatches on.

Each judge holds its own data (a sampler's distributions, a strided puzzle's input and target,
a question) and decides its own probes and problems. The checker never asks which kind of
exercise it holds: it calls the exercise's judge.

>>> Compare().kind, Compare(min_learner_asserts=3).min_learner_asserts
('function', 3)
>>> Strided(input=torch.arange(4), target=torch.tensor([0, 2])).kind
'strided'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import torch

if TYPE_CHECKING:  # the checker imports the exercise types; these imports stay one-way
    from tensorlings.checker.mistakes import Outcome
    from tensorlings.checker.probes import Probe
    from tensorlings.checker.results import Problem
    from tensorlings.exercise import Exercise, Family, Question
    from tensorlings.messages.replies import CallResult


class Judge:
    """What every judge answers; the defaults are those of a function that is called."""

    kind: ClassVar[str] = "function"
    # True: the learner's function takes no arguments and returns an answer, judged once.
    answers: ClassVar[bool] = False
    min_learner_asserts: int = 0

    def probes(self, exercise: Exercise, seed: int) -> list[Probe]:
        """The calls to make and what each should give (none for an answer judge)."""
        return []

    def problems(self, exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
        """What is wrong with one call's result (a reply of status "ok")."""
        return []

    def named(
        self,
        exercise: Exercise,
        pairs: list[tuple[Probe, list[Problem]]],
        outcomes: list[Outcome | None],
        problems: list[Problem],
    ) -> list[Problem]:
        """The contract's problems, led by a known mistake when the outcomes show one.

        `pairs` holds each contract probe with its own problems; `outcomes` what each gave."""
        return problems

    def answer_problems(self, exercise: Exercise, value: Any) -> list[Problem]:
        """What is wrong with the answer an answer judge's function returned."""
        return []

    def explanation(self, exercise: Exercise) -> str | None:
        """Shown once the answer is right (a question's explanation)."""
        return None

    def returns(self) -> str | None:
        """The return annotation a workbook stub shows instead of the reference's, if any."""
        return None

    def reference_source(self, exercise: Exercise) -> str | None:
        """Source of the reference for a workbook, when it is not the solution's own code."""
        return None


@dataclass(frozen=True)
class Compare(Judge):
    """Call the learner's function on inputs and compare with the reference's outputs.

    `min_learner_asserts`: the learner must also write this many asserts of their own that
    relate the arguments and the output (an exercise that teaches asserting shapes).
    """

    kind: ClassVar[str] = "function"
    min_learner_asserts: int = 0

    def probes(self, exercise: Exercise, seed: int) -> list[Probe]:
        from tensorlings.checker import probes

        return probes.plan(exercise, seed)

    def problems(self, exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
        from tensorlings.checker.judge import output_problems

        return output_problems(exercise, probe, result)

    def named(
        self,
        exercise: Exercise,
        pairs: list[tuple[Probe, list[Problem]]],
        outcomes: list[Outcome | None],
        problems: list[Problem],
    ) -> list[Problem]:
        from tensorlings.checker import mistakes

        return mistakes.name(exercise, pairs, outcomes, problems)


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

    def probes(self, exercise: Exercise, seed: int) -> list[Probe]:
        from tensorlings.checker.probes import Probe

        generator = torch.Generator().manual_seed(seed)
        made = []
        for i, spec in enumerate(self.draws):
            probs = spec.probs if isinstance(spec.probs, torch.Tensor) else spec.probs(generator)
            made.append(
                Probe(
                    label=spec.label, args=(probs, spec.n), expected=probs,
                    seed=seed + i, family=spec.family,
                )
            )  # fmt: skip
        return made

    def problems(self, exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
        from tensorlings.checker import special

        return special.sampling_problems(exercise, probe, result)

    def named(
        self,
        exercise: Exercise,
        pairs: list[tuple[Probe, list[Problem]]],
        outcomes: list[Outcome | None],
        problems: list[Problem],
    ) -> list[Problem]:
        from tensorlings.checker import special

        if self.reseeded is None or problems:
            return problems
        outputs = [o.value if o else None for o in outcomes]
        same = special.same_draws_problem(exercise, [p for p, _ in pairs], outputs, self.reseeded)
        return [same] if same else problems


@dataclass(frozen=True)
class Strided(Judge):
    """An `as_strided` puzzle: the function returns `(size, stride)`, and
    `input.as_strided(size, stride)` must equal `target`.

    `sheet_position`: where the answer sits in a `test_cases` list of (size, stride) pairs, for
    workbooks that answer the sheet's way (1 for the first entry); None when there is no such list.
    """

    kind: ClassVar[str] = "strided"
    answers: ClassVar[bool] = True
    input: torch.Tensor
    target: torch.Tensor
    sheet_position: int | None = None

    def answer_problems(self, exercise: Exercise, value: Any) -> list[Problem]:
        from tensorlings.checker import special

        return special.strided_problems(exercise, self, value)


@dataclass(frozen=True)
class Ask(Judge):
    """A predict-the-output question: the function returns the letter of an option."""

    kind: ClassVar[str] = "question"
    answers: ClassVar[bool] = True
    question: Question

    def answer_problems(self, exercise: Exercise, value: Any) -> list[Problem]:
        from tensorlings.checker import special

        return special.question_problems(self.question, value)

    def explanation(self, exercise: Exercise) -> str | None:
        return self.question.explanation

    def returns(self) -> str | None:
        return "str"

    def reference_source(self, exercise: Exercise) -> str | None:
        from tensorlings.questions import correct_letter
        from tensorlings.workbook import signature_line

        return f"{signature_line(exercise)}\n    return {correct_letter(self.question)!r}\n"
