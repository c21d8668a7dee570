"""The efficiency coach: advice (never a failure) when a passing solution is far slower or far
hungrier for memory than the reference on a larger input.

The learner's function is timed in its worker, the reference in a trusted child forked from the
same zygote (never loading learner code), both on one thread and on the same input; each is the
best of a few runs. Peak extra memory is the rise of the process's
peak resident size during the call (Linux), ignored below a floor where noise dominates.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from tensorlings.checker.results import Problem
from tensorlings.exercise import Exercise, Recipe
from tensorlings.worker import encoding

RATIO = 5.0
MEMORY_FLOOR = 16 * 1024 * 1024  # below this, peak-memory differences are noise
MIN_EXTRA_SECONDS = 0.01  # below this, timing differences are noise
REPEATS = 2
SLOW_ENOUGH = 0.5  # seconds: one run that long is measurement enough


def coached(exercise: Exercise) -> bool:
    return exercise.coach is not None


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


def _cannot_be_flagged(result: dict[str, Any]) -> bool:
    """Faster than the time floor and lighter than the memory floor: no advice is possible."""
    seconds = float(result.get("seconds", 0))
    peak = int(result.get("peak_extra_bytes", 0))
    return seconds <= MIN_EXTRA_SECONDS and peak <= MEMORY_FLOOR


# The reference's first timing per (pack, exercise, input, seed), kept for the life of this
# process: a grader checks a whole class with one seed, so measuring the same reference on the
# same input again for every submission only repeated a fork and its runs. Advice is never
# given on this first timing alone: a learner found slower is confirmed against a fresh one.
_REFERENCE_TIMINGS: dict[str, dict[str, Any]] = {}
_REFERENCE_TIMINGS_KEPT = 256


def _reference_timing(runner: Any, exercise_id: str, args: list[Any], seed: int) -> dict[str, Any]:
    pack = getattr(getattr(runner, "catalogue", None), "path", None) or getattr(
        getattr(runner, "catalogue", None), "name", ""
    )
    key = json.dumps([str(pack), exercise_id, args, seed], sort_keys=True, default=str)
    kept = _REFERENCE_TIMINGS.get(key)
    if kept is not None:
        return kept
    profiled = runner.profile_reference(exercise_id, args, seed)
    if profiled.get("seconds") and len(_REFERENCE_TIMINGS) < _REFERENCE_TIMINGS_KEPT:
        _REFERENCE_TIMINGS[key] = profiled
    return profiled


def _best(samples: list[float]) -> float:
    return min(samples) if samples else float("nan")


def coach_problems(exercise: Exercise, runner: Any, seed: int, device: str) -> list[Problem]:
    if not coached(exercise) or device != "cpu":
        return []
    args, shape = coach_args(exercise, seed)
    call = {"args": args, "seed": seed, "profile": True}
    first = runner.run(exercise.id, [call], False, runner.limits.exercise_seconds)
    results = [r for r in first if isinstance(r, dict) and r.get("status") == "ok"]
    if not results or _cannot_be_flagged(results[0]):
        return []  # nothing to advise, whatever the reference does: save the measuring
    if results[0].get("seconds", 0) < SLOW_ENOUGH:
        more = runner.run(
            exercise.id, [call] * (REPEATS - 1), False, runner.limits.exercise_seconds
        )
        results += [r for r in more if isinstance(r, dict) and r.get("status") == "ok"]
    learner_time = _best([float(r.get("seconds", 0)) for r in results])
    learner_peak = int(statistics.median(int(r.get("peak_extra_bytes", 0)) for r in results))
    profiled = _reference_timing(runner, exercise.id, args, seed)
    if not profiled.get("seconds"):
        return []
    reference_time = _best([float(s) for s in profiled["seconds"]])
    reference_peak = int(statistics.median(int(p) for p in profiled["peaks"]))
    assert exercise.coach is not None
    advice = exercise.coach.advice
    problems = []
    slower = learner_time > RATIO * max(reference_time, 1e-4)
    if slower:
        # A busy machine can stall either side: confirm once more before advising.
        again = runner.run(exercise.id, [call], False, runner.limits.exercise_seconds)
        ok = [
            float(r.get("seconds", 0))
            for r in again
            if isinstance(r, dict) and r.get("status") == "ok"
        ]
        learner_time = _best([learner_time, *ok])
        reference_time = _best(
            [
                reference_time,
                *runner.profile_reference(exercise.id, call["args"], seed).get("seconds", []),
            ]
        )
        slower = learner_time > RATIO * max(reference_time, 1e-4)
    if reference_time > 0 and slower and learner_time - reference_time > MIN_EXTRA_SECONDS:
        problems.append(
            Problem(
                "slow",
                f"correct, but {learner_time / reference_time:.0f}× slower than the reference on "
                f"a larger input ({shape}): {learner_time * 1000:.0f} ms against "
                f"{reference_time * 1000:.1f} ms. Try this: {advice}.",
                fails=False,
                details={"seconds": learner_time, "reference_seconds": reference_time},
            )
        )
    hungry = learner_peak > RATIO * max(reference_peak, MEMORY_FLOOR / RATIO)
    if learner_peak > MEMORY_FLOOR and hungry:
        problems.append(
            Problem(
                "memory_hungry",
                f"correct, but it needs {learner_peak / 2**20:.0f} MiB of extra memory on a larger "
                f"input ({shape}) where the reference needs {reference_peak / 2**20:.0f} MiB. "
                f"Try this: {advice}.",
                fails=False,
                details={"peak_bytes": learner_peak, "reference_peak_bytes": reference_peak},
            )
        )
    return problems
