"""Judge trusted code (a reference, a mutant) in this process on an exercise's probes, the way
the checker judges a learner's call: the worker's own call runner reports the value, the
inputs it changed and the gradients, and the checker's own judges turn that into problems.

For authors' tools only: the functions run here, so they must never be learner code.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import einops

from tensorlings.checker import judge
from tensorlings.checker.exercise_judges import encode_call
from tensorlings.checker.judge import stamped
from tensorlings.checker.probes import Probe
from tensorlings.checker.results import Problem
from tensorlings.checker.sandbox import Limits
from tensorlings.exercise import Exercise
from tensorlings.messages.replies import CallResult
from tensorlings.vocab import CallStatus
from tensorlings.worker import recorder
from tensorlings.worker.child import ChildProcess

SECONDS_PER_CALL = Limits().exercise_seconds
EINOPS_NAMES = ("rearrange", "reduce", "repeat", "einsum", "pack", "unpack")


class _NoSource:
    """Where-in-the-file for code that has no learner file."""

    def line_text(self, line: int) -> str:
        return ""

    def where(self, line: int) -> str:
        return f"line {line}"


@dataclass(frozen=True)
class Judged:
    """What one probe gave: the checker's problems and the calls recorded (when recorded)."""

    problems: list[Problem]
    calls: dict[str, int]


@functools.cache
def _child() -> ChildProcess:
    return ChildProcess(sock=None, output_limit=Limits().output_chars)  # type: ignore[arg-type]


def run_probe(
    exercise: Exercise,
    function: Callable[..., Any],
    probe: Probe,
    record_file: str | None = None,
) -> Judged:
    """Run `function` on one probe as the worker would, and judge what it gave."""
    child = _child()
    record = record_file is not None
    child.recorder.learner_file = record_file or ""
    child.filename = record_file or ""
    required = tuple(rule.names for rule in exercise.rules.required)
    result = child.run_call(function, encode_call(probe, "cpu"), record, SECONDS_PER_CALL, required)
    calls = {k: v for k, v in result.calls.items() if isinstance(v, int)}
    return Judged(stamped(_problems(exercise, probe, result), exercise, probe), calls)


def _problems(exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
    if result.status == CallStatus.OK:
        return judge.output_problems(exercise, probe, result)
    return [judge.error_problem(exercise, probe, result, _NoSource())]


def first_failure(
    exercise: Exercise, function: Callable[..., Any], probes: Sequence[Probe]
) -> Problem | None:
    """The first problem that fails `function` on these probes, in order; None if it passes.

    Stops at the first failure: the mutation audit only needs to know whether a mutant is
    caught, and most are caught on the first probe."""
    for probe in probes:
        failing = [p for p in run_probe(exercise, function, probe).problems if p.fails]
        if failing:
            return failing[0]
    return None


@contextlib.contextmanager
def einops_recorded() -> Iterator[None]:
    """einops' functions wrapped for the recorder while the block runs, then put back (code
    defined inside the block binds the wrappers; nothing outside keeps them)."""
    originals = {name: getattr(einops, name) for name in EINOPS_NAMES if hasattr(einops, name)}
    recorder.wrap_einops(_child().recorder)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(einops, name, original)
