"""The one registry from a judge's type to how it is judged: its probes, its problems, its named
mistakes, its answers. The judges themselves (tensorlings.judges) are data; the checker, the
views, authoring and `pack check` ask `strategy_for(judge)` and never which kind they hold.

>>> from tensorlings.judges import Ask, Compare
>>> strategy_for(Compare()).compares_outputs, type(strategy_for(Compare())).__name__
(True, 'ComparedCalls')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import torch

from tensorlings.checker import mistakes, probes, simulate, special
from tensorlings.checker.judge import output_problems
from tensorlings.checker.probes import Probe
from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.errors import PackError
from tensorlings.exercise import Example, Exercise, Mistake
from tensorlings.judges import Ask, Compare, Judge, Sampling, Strided
from tensorlings.messages.replies import CallResult, LoadReply
from tensorlings.vocab import CallStatus, Status
from tensorlings.worker import encoding

J = TypeVar("J", bound=Judge)


@dataclass(frozen=True)
class JudgeStrategy(Generic[J]):
    """How one kind of exercise is judged; the defaults are those of a function that is called.

    `answers`: the learner's function takes no arguments and returns an answer, judged once.
    `compares_outputs`: it is called on inputs and its outputs compared with the reference's,
    so its examples are calls, its random cases matter, and its declared mistakes are judged on
    the contract probes."""

    judge: J
    answers: ClassVar[bool] = False
    compares_outputs: ClassVar[bool] = False

    def probes(self, exercise: Exercise, seed: int) -> list[Probe]:
        """The calls to make and what each should give (none for an answer)."""
        return []

    def problems(self, exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
        """What is wrong with one call's result (a reply of status "ok")."""
        return []

    def named(
        self,
        exercise: Exercise,
        pairs: list[tuple[Probe, list[Problem]]],
        outcomes: list[mistakes.Outcome | None],
        problems: list[Problem],
    ) -> list[Problem]:
        """The contract's problems, led by a known mistake when the outcomes show one.

        `pairs` holds each contract probe with its own problems; `outcomes` what each gave."""
        return problems

    def answer_problems(self, exercise: Exercise, value: Any) -> list[Problem]:
        """What is wrong with the answer the function returned (answers only)."""
        return []

    def explanation(self, exercise: Exercise) -> str | None:
        """Shown once the answer is right."""
        return None

    def sheet_answer(self, exercise: Exercise, loaded: LoadReply) -> ExerciseResult | None:
        """The verdict on an answer given the sheet's way instead of as a function (None: the
        workbook must define the function)."""
        return None

    def example_values(self, exercise: Exercise, example: Example) -> tuple[Any, Any] | None:
        """What the reference gives on an example, and what that must equal (None: examples are
        not checked by running the reference: a sampler's draws are random, a question's answer
        is found by running its snippet)."""
        return None

    def reference_problems(self, exercise: Exercise) -> list[Problem] | None:
        """The reference judged as a learner's answer would be (None: it is judged by the
        probes, call by call)."""
        return None

    def mistake_problems(self, exercise: Exercise, mistake: Mistake) -> list[Problem]:
        """What the checker says of a declared mistake (empty when it cannot be judged here)."""
        return []

    def pictured_input(self) -> torch.Tensor | None:
        """The memory a failure's picture shows beside the answer, if any."""
        return None


class ComparedCalls(JudgeStrategy[Compare]):
    compares_outputs: ClassVar[bool] = True

    def probes(self, exercise: Exercise, seed: int) -> list[Probe]:
        return probes.plan(exercise, seed)

    def problems(self, exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
        return output_problems(exercise, probe, result)

    def named(
        self,
        exercise: Exercise,
        pairs: list[tuple[Probe, list[Problem]]],
        outcomes: list[mistakes.Outcome | None],
        problems: list[Problem],
    ) -> list[Problem]:
        return mistakes.name(exercise, pairs, outcomes, problems)

    def example_values(self, exercise: Exercise, example: Example) -> tuple[Any, Any] | None:
        return exercise.solution(*probes.clone_args(example.args)), example.expected

    def mistake_problems(self, exercise: Exercise, mistake: Mistake) -> list[Problem]:
        return simulate.contract_problems(exercise, mistake.run)


def _ok(value: Any) -> CallResult:
    return CallResult(CallStatus.OK, output=encoding.encode(value))


class SampledDraws(JudgeStrategy[Sampling]):
    def probes(self, exercise: Exercise, seed: int) -> list[Probe]:
        generator = torch.Generator().manual_seed(seed)
        made = []
        for i, spec in enumerate(self.judge.draws):
            probs = spec.probs if isinstance(spec.probs, torch.Tensor) else spec.probs(generator)
            made.append(
                Probe(
                    label=spec.label, args=(probs, spec.n), expected=probs,
                    seed=seed + i, family=spec.family,
                )
            )  # fmt: skip
        return made

    def problems(self, exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
        return special.sampling_problems(exercise, probe, result)

    def named(
        self,
        exercise: Exercise,
        pairs: list[tuple[Probe, list[Problem]]],
        outcomes: list[mistakes.Outcome | None],
        problems: list[Problem],
    ) -> list[Problem]:
        reseeded = self.judge.reseeded
        if reseeded is None or problems:
            return problems
        outputs = [o.value if o else None for o in outcomes]
        same = special.same_draws_problem(exercise, [p for p, _ in pairs], outputs, reseeded)
        return [same] if same else problems

    def reference_problems(self, exercise: Exercise) -> list[Problem] | None:
        found: list[Problem] = []
        for probe in self.probes(exercise, 0):
            torch.manual_seed(probe.seed or 0)  # the worker seeds each call the same way
            found += self.problems(exercise, probe, _ok(exercise.solution(*probe.args)))
        return found

    def mistake_problems(self, exercise: Exercise, mistake: Mistake) -> list[Problem]:
        """A sampling mistake declares the distribution it draws from: draw from it and judge
        the draws as a learner's, up to the first probe that fails them."""
        problems: list[Problem] = []
        for probe in self.probes(exercise, 0):
            if not exercise.tiers.fails(probe.family):
                continue
            probs, n = probe.args
            generator = torch.Generator().manual_seed(probe.seed or 0)
            try:
                wanted = mistake.run(probs.double()).double().reshape(-1)
                draws = torch.multinomial(wanted, n, replacement=True, generator=generator)
            except (RuntimeError, ValueError):
                continue  # this mistake says nothing about this input
            problems += self.problems(exercise, probe, _ok(draws))
            if any(p.fails for p in problems):
                break  # the first failure carries the name, or never will
        return problems


class _Answered(JudgeStrategy[J]):
    answers: ClassVar[bool] = True

    def reference_problems(self, exercise: Exercise) -> list[Problem] | None:
        return self.answer_problems(exercise, exercise.solution())


class StridedAnswer(_Answered[Strided]):
    def answer_problems(self, exercise: Exercise, value: Any) -> list[Problem]:
        return special.strided_problems(exercise, self.judge, value)

    def sheet_answer(self, exercise: Exercise, loaded: LoadReply) -> ExerciseResult | None:
        """as_strided answers given the sheet's way: a `test_cases` list of (size, stride)."""
        number = self.judge.sheet_position
        if not number:
            return None
        cases = loaded.test_cases
        case = cases[number - 1] if cases is not None and len(cases) >= number else None
        if case is None:
            return ExerciseResult(exercise.id, exercise.section, Status.NOT_STARTED)
        size, stride = case
        if list(size) == [1] and list(stride) == [1]:  # the sheet's blank
            return ExerciseResult(exercise.id, exercise.section, Status.NOT_STARTED)
        problems = self.answer_problems(exercise, (tuple(size), tuple(stride)))
        status = Status.FAILED if problems else Status.PASSED
        return ExerciseResult(exercise.id, exercise.section, status, tuple(problems))

    def example_values(self, exercise: Exercise, example: Example) -> tuple[Any, Any] | None:
        got = exercise.solution(*probes.clone_args(example.args))
        return self.judge.input.as_strided(*got), self.judge.target

    def pictured_input(self) -> torch.Tensor | None:
        return self.judge.input


class AskedQuestion(_Answered[Ask]):
    def answer_problems(self, exercise: Exercise, value: Any) -> list[Problem]:
        return special.question_problems(self.judge.question, value)

    def explanation(self, exercise: Exercise) -> str | None:
        return self.judge.question.explanation


_REGISTRY: dict[type[Judge], type[JudgeStrategy[Any]]] = {
    Compare: ComparedCalls,
    Sampling: SampledDraws,
    Strided: StridedAnswer,
    Ask: AskedQuestion,
}


def strategy_for(judge: Judge) -> JudgeStrategy[Any]:
    """How `judge` is judged (a subclass of a judge is judged as that judge)."""
    for kind in type(judge).__mro__:
        strategy = _REGISTRY.get(kind)
        if strategy is not None:
            return strategy(judge)
    known = ", ".join(kind.__name__ for kind in _REGISTRY)
    raise PackError(
        f"judge={judge!r} is not a judge tensorlings knows: use one of {known} "
        "(from tensorlings.judges)."
    )
