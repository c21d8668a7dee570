"""Judge trusted code (a reference, a declared mistake, a mutant) in this process, the way the
checker judges a learner's function in a child: every contract probe, then the naming step.

For authors' tools and tests only: it runs the given function here, so it must never be given
learner code.

    problems = contract_problems(exercise, exercise.mistakes[0].run)
    problems[0].mistake == exercise.mistakes[0].name
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tensorlings.checker import judge, mistakes
from tensorlings.checker.probes import Probe, plan
from tensorlings.checker.results import Problem
from tensorlings.exercise import Exercise
from tensorlings.messages.replies import CallResult, ErrorInfo
from tensorlings.vocab import CallStatus
from tensorlings.worker import encoding


class _NoSource:
    """Where-in-the-file for code that has no learner file."""

    def line_text(self, line: int) -> str:
        return ""

    def where(self, line: int) -> str:
        return f"line {line}"


def _reply(value: Any) -> CallResult:
    return CallResult(CallStatus.OK, output=encoding.encode(value))


def contract_probes(exercise: Exercise, seed: int = 0) -> list[Probe]:
    return [p for p in plan(exercise, seed) if exercise.tiers.fails(p.family)]


def contract_problems(
    exercise: Exercise, function: Callable[..., Any], seed: int = 0
) -> list[Problem]:
    """The first failing problem of `function` on the contract probes, named where it can be
    (an empty list when it passes them all)."""
    pairs, outcomes = [], []
    for probe in contract_probes(exercise, seed):
        outcome = mistakes.run_trusted(function, probe)
        if outcome.error is not None:
            kind, message = outcome.error
            result = CallResult(CallStatus.ERROR, error=ErrorInfo("error", kind, message))
            found = [judge.error_problem(exercise, probe, result, _NoSource())]
        else:
            found = judge.output_problems(exercise, probe, _reply(outcome.value))
        pairs.append((probe, judge.stamped(found, exercise, probe)))
        outcomes.append(outcome)
    first = next((p for _, found in pairs for p in found), None)
    return mistakes.name(exercise, pairs, outcomes, [first] if first else [])
