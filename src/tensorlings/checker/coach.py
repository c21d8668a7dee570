"""The efficiency coach: advice (never a failure) when a passing solution is far slower or far
hungrier for memory than the reference on a larger input.

The learner's function runs in its own sandboxed process, the reference in a trusted sibling
forked from the same zygote (learner code never shares a process with a reference solution:
a pack may hide its solutions, and learner code may tamper with what runs beside it). Both
sides run one thread on the same input.

Time is CPU time, not wall time: on a busy machine a process waits for a core, and the wait
counts in wall time but not in CPU time, so load cannot make code look slower. The clock is
the calling thread's (`time.thread_time`): the sandbox holds torch to that one thread and
refuses new ones, so it sees all the work of the call; Linux's process-wide clock would do
too, but it advances for the running thread only at a scheduler tick (4 ms on these
machines), coarser than a fast reference's whole run. (Code that sleeps or waits looks fast by
this clock; waiting is no efficiency mistake this coach teaches.)

Timing advice needs a repeat to confirm it: learner and reference are measured in rounds,
interleaved (learner, reference, learner, reference, ...), each side the best of its runs in
the round, and advice is given only when every one of ROUNDS rounds finds the learner RATIO
times slower. The first round that does not stops the measuring. Peak extra memory is the rise
of the process's peak resident size during the call (Linux), ignored below a floor where
noise dominates; it does not depend on load.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tensorlings.checker.results import Problem
from tensorlings.exercise import Exercise, Recipe
from tensorlings.messages.replies import CallResult
from tensorlings.messages.requests import Call
from tensorlings.messages.zygote import recipe_key
from tensorlings.vocab import CallStatus, ProblemKind
from tensorlings.worker import encoding

RATIO = 5.0
MEMORY_FLOOR = 16 * 1024 * 1024  # below this, peak-memory differences are noise
MIN_EXTRA_SECONDS = 0.01  # below this, timing differences are noise
REPEATS = 2  # runs of each side per round; the best counts (a first run pays for warming up)
ROUNDS = 3  # interleaved rounds that must all agree before timing advice is given
SLOW_ENOUGH = 0.5  # CPU seconds: one learner run that long is a round's measurement enough
FLOOR_SECONDS = 1e-4  # a reference faster than this is taken as this fast


@dataclass(frozen=True)
class Round:
    """One round of the comparison: each side's best CPU time in it."""

    learner: float
    reference: float

    @property
    def ratio(self) -> float:
        return self.learner / max(self.reference, FLOOR_SECONDS)

    @property
    def slower(self) -> bool:
        """Far slower, and by more than the noise floor."""
        return self.ratio > RATIO and self.learner - self.reference > MIN_EXTRA_SECONDS


def needs_another_round(rounds: Sequence[Round]) -> bool:
    """Whether to measure again: every round so far finds it slower, and too few rounds ran."""
    return bool(rounds) and all(r.slower for r in rounds) and len(rounds) < ROUNDS


def confirmed_slower(rounds: Sequence[Round]) -> Round | None:
    """The medians of both sides when all ROUNDS rounds find the learner far slower; else None.

    >>> confirmed_slower([Round(0.5, 0.01)] * 3)
    Round(learner=0.5, reference=0.01)
    >>> confirmed_slower([Round(0.5, 0.01), Round(0.02, 0.01), Round(0.5, 0.01)]) is None
    True
    """
    if len(rounds) < ROUNDS or not all(r.slower for r in rounds):
        return None
    median = Round(
        statistics.median(r.learner for r in rounds),
        statistics.median(r.reference for r in rounds),
    )
    return median if median.slower else None


def coached(exercise: Exercise) -> bool:
    return exercise.coach is not None


def coach_recipes(exercises: Sequence[Exercise], seed: int) -> list[dict[str, Any]]:
    """The recipes of these exercises' larger inputs, each once (the zygote makes them ahead)."""
    found: dict[str, dict[str, Any]] = {}
    for exercise in exercises:
        if coached(exercise):
            for arg in coach_args(exercise, seed)[0]:
                if arg.get("t") == "recipe":
                    found.setdefault(recipe_key(arg), arg)
    return list(found.values())


def coach_args(exercise: Exercise, seed: int) -> tuple[list[dict[str, Any]], str]:
    """The larger input, as recipes the worker makes itself, and a description of it."""
    assert exercise.coach is not None
    args = []
    for position, arg in enumerate(exercise.coach.args):
        if isinstance(arg, Recipe):
            extra = {"low": arg.low, "high": arg.high} if arg.kind == "integers" else {}
            args.append(encoding.recipe(arg.kind, arg.shape, seed + position, **extra))
        else:
            args.append(encoding.encode(arg))
    return args, exercise.coach.described


def _cannot_be_flagged(result: CallResult, timing: bool) -> bool:
    """Lighter than the memory floor and (when timing advice is given) faster than the time
    floor: no advice is possible."""
    fast = not timing or _cpu(result) <= MIN_EXTRA_SECONDS
    return fast and result.peak_extra_bytes <= MEMORY_FLOOR


def _cpu(result: CallResult) -> float:
    return result.cpu_seconds


class _Measure:
    """The measuring of one exercise: learner and reference runs, round by round."""

    def __init__(self, exercise: Exercise, runner: Any, seed: int) -> None:
        self.exercise, self.runner, self.seed = exercise, runner, seed
        args, self.shape = coach_args(exercise, seed)
        self.call = Call(tuple(args), seed, profile=True)
        self.learner_peaks: list[int] = []
        self.reference_peaks: list[int] = []
        self.runs = REPEATS  # the learner's runs per round (one, for slow code)

    def learner(self, runs: int) -> list[CallResult] | None:
        """The learner's timing runs; None if any of them did not pass (no partial measure)."""
        calls = [self.call] * runs
        got = self.runner.run(self.exercise.id, calls, False, self.runner.limits.exercise_seconds)
        ok = [r for r in got if r.status == CallStatus.OK]
        if len(ok) < runs:
            return None
        self.learner_peaks += [r.peak_extra_bytes for r in ok]
        return ok

    def reference(self) -> float | None:
        """The reference's best CPU time over its runs in a trusted child."""
        profiled = self.runner.profile_reference(
            self.exercise.id, list(self.call.args), self.seed, repeats=REPEATS
        )
        if not profiled.cpu_seconds:
            return None
        self.reference_peaks += list(profiled.peaks)
        return min(profiled.cpu_seconds)

    def round(self, learner: float | None = None) -> Round | None:
        """A round: the learner's runs (unless measured already), then the reference's."""
        if learner is None:
            ok = self.learner(self.runs)
            if ok is None:
                return None
            learner = min(_cpu(r) for r in ok)
        reference = self.reference()
        return None if reference is None else Round(learner, reference)

    def first_round(self, timing: bool) -> Round | None:
        """The first round, or None when nothing can come of measuring (saves the reference).
        Without timing advice one learner run is the measure: more runs serve the timing only,
        and the peak memory of a function already run on every probe repeats run to run."""
        first = self.learner(1)
        if first is None or _cannot_be_flagged(first[0], timing):
            return None
        learner = _cpu(first[0])
        if learner >= SLOW_ENOUGH or not timing:
            self.runs = 1
        else:
            more = self.learner(REPEATS - 1)
            if more is None:
                return None
            learner = min([learner, *(_cpu(r) for r in more)])
        return self.round(learner)


def coach_problems(exercise: Exercise, runner: Any, seed: int, device: str) -> list[Problem]:
    """Advice for a passing solution; timing advice only when `runner.coach_timing` (default
    on) and every round confirms it."""
    if not coached(exercise) or device != "cpu":
        return []
    measure = _Measure(exercise, runner, seed)
    timing = getattr(runner, "coach_timing", True)
    first = measure.first_round(timing)
    if first is None:
        return []
    rounds = [first]
    while timing and needs_another_round(rounds):
        more = measure.round()
        if more is None:  # a run failed: no advice on a partial measure
            break
        rounds.append(more)
    problems = []
    slower = confirmed_slower(rounds) if timing else None
    if slower is not None:
        problems.append(_slow_problem(exercise, measure.shape, slower))
    hungry = _memory_problem(exercise, measure)
    return problems + ([hungry] if hungry is not None else [])


def _slow_problem(exercise: Exercise, shape: str, slower: Round) -> Problem:
    assert exercise.coach is not None
    return Problem(
        ProblemKind.SLOW,
        f"correct, but {slower.ratio:.0f}× slower than the reference on a larger input "
        f"({shape}): {slower.learner * 1000:.0f} ms of CPU time against "
        f"{slower.reference * 1000:.1f} ms (the median of {ROUNDS} rounds, each one this much "
        f"slower). Try this: {exercise.coach.advice}.",
        fails=False,
        details={"seconds": slower.learner, "reference_seconds": slower.reference},
    )


def _memory_problem(exercise: Exercise, measure: _Measure) -> Problem | None:
    if not measure.learner_peaks or not measure.reference_peaks:
        return None
    learner_peak = int(statistics.median(measure.learner_peaks))
    reference_peak = int(statistics.median(measure.reference_peaks))
    hungry = learner_peak > RATIO * max(reference_peak, MEMORY_FLOOR / RATIO)
    if learner_peak <= MEMORY_FLOOR or not hungry:
        return None
    assert exercise.coach is not None
    return Problem(
        ProblemKind.MEMORY_HUNGRY,
        f"correct, but it needs {learner_peak / 2**20:.0f} MiB of extra memory on a larger "
        f"input ({measure.shape}) where the reference needs {reference_peak / 2**20:.0f} MiB. "
        f"Try this: {exercise.coach.advice}.",
        fails=False,
        details={"peak_bytes": learner_peak, "reference_peak_bytes": reference_peak},
    )
