"""The efficiency coach: advice (never a failure) when a passing solution is far slower or far
hungrier for memory than the reference on a larger input.

The learner's function is timed in its worker, the reference in a trusted child forked from the
same zygote (never loading learner code), both on one thread and on the same input; each is the
best of a few runs. Peak extra memory is the rise of the process's
peak resident size during the call (Linux), ignored below a floor where noise dominates.
"""

from __future__ import annotations

import statistics
from typing import Any

from tensorlings.checker.results import Problem
from tensorlings.exercise import Exercise
from tensorlings.worker import encoding

RATIO = 5.0
MEMORY_FLOOR = 16 * 1024 * 1024  # below this, peak-memory differences are noise
MIN_EXTRA_SECONDS = 0.01  # below this, timing differences are noise
REPEATS = 2
SLOW_ENOUGH = 0.5  # seconds: one run that long is measurement enough

_MATRIX = (2048, 256)
_COACHED = (
    "batched_logsumexp",
    "batched_softmax",
    "batched_logsoftmax",
    "batched_cross_entropy_loss",
    "identity_matrix",
    "sample_distribution",
    "relu_clone_setitem",
    "relu_where",
    "relu_maximum",
    "relu_abs",
    "relu_multiply_bool",
)
_ADVICE = {
    "sample_distribution": "an n × k comparison matrix is not needed: torch.searchsorted finds "
    "each draw's event in the running total directly",
    "identity_matrix": "compare an arange with itself through broadcasting; avoid building "
    "intermediate tensors larger than n × n",
}


def coached(exercise: Exercise) -> bool:
    return exercise.id in _COACHED


def coach_args(exercise: Exercise, seed: int) -> tuple[list[dict[str, Any]], str]:
    """The larger input, as recipes the worker makes itself, and a description of it."""
    if exercise.id == "identity_matrix":
        return [encoding.encode(2000)], "n=2000"
    if exercise.id == "sample_distribution":
        return [encoding.recipe("probs", (1000,), seed), encoding.encode(50_000)], (
            "1000 events, n=50000"
        )
    matrix = encoding.recipe("normal", _MATRIX, seed)
    if exercise.id == "batched_cross_entropy_loss":
        labels = encoding.recipe("integers", (_MATRIX[0],), seed + 1, low=0, high=_MATRIX[1])
        return [matrix, labels], f"logits of shape {_MATRIX}"
    return [matrix], f"shape {_MATRIX}"


def _cannot_be_flagged(result: dict[str, Any]) -> bool:
    """Faster than the time floor and lighter than the memory floor: no advice is possible."""
    seconds = float(result.get("seconds", 0))
    peak = int(result.get("peak_extra_bytes", 0))
    return seconds <= MIN_EXTRA_SECONDS and peak <= MEMORY_FLOOR


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
    profiled = runner.profile_reference(exercise.id, call["args"], seed)
    if not profiled.get("seconds"):
        return []
    reference_time = _best([float(s) for s in profiled["seconds"]])
    reference_peak = int(statistics.median(int(p) for p in profiled["peaks"]))
    advice = _ADVICE.get(
        exercise.id, "look for work repeated per row or element, a needless copy, or printing"
    )
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
