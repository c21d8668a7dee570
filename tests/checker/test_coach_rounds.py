"""The coach's confirmation of timing advice, with injected timings (no processes, no clock):
advice only when every interleaved round finds the learner far slower than the reference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tensorlings import catalogue
from tensorlings.checker.coach import (
    MEMORY_FLOOR,
    RATIO,
    REPEATS,
    ROUNDS,
    Round,
    coach_problems,
    confirmed_slower,
    needs_another_round,
)
from tensorlings.checker.sandbox import Limits
from tensorlings.messages.frames import Profiled
from tensorlings.messages.replies import CallResult

SOFTMAX = catalogue.get("batched_softmax")


@dataclass
class FakeRunner:
    """A runner whose learner and reference runs take the CPU times given, in order; it notes
    which side ran when ("L" a learner run, "R" a reference profile)."""

    learner: Iterator[float]
    reference: Iterator[float]
    coach_timing: bool = True
    limits: Limits = field(default_factory=Limits)
    order: list[str] = field(default_factory=list)
    failing_run: int | None = None  # the learner run (counted from 0) that times out
    peak: int = 0  # each learner run's peak extra memory

    def run(self, name: str, calls: list[Any], record: bool, seconds: float) -> list[CallResult]:
        results = []
        for _ in calls:
            self.order.append("L")
            if self.order.count("L") - 1 == self.failing_run:
                results.append(CallResult("timeout"))
                continue
            results.append(
                CallResult("ok", cpu_seconds=next(self.learner), peak_extra_bytes=self.peak)
            )
        return results

    def profile_reference(
        self, exercise_id: str, args: list[Any], seed: int, repeats: int
    ) -> Profiled:
        self.order.append("R")
        cpu = tuple(next(self.reference) for _ in range(repeats))
        return Profiled(seconds=cpu, cpu_seconds=cpu, peaks=(0,) * repeats)


def runner(learner: list[float], reference: list[float], **kwargs: Any) -> FakeRunner:
    return FakeRunner(iter(learner), iter(reference), **kwargs)


def kinds(fake: FakeRunner) -> list[str]:
    return [p.kind for p in coach_problems(SOFTMAX, fake, 0, "cpu")]


def test_advice_needs_every_round_far_slower() -> None:
    fake = runner([0.2] * 2 * ROUNDS, [0.01] * REPEATS * ROUNDS)
    problems = coach_problems(SOFTMAX, fake, 0, "cpu")
    assert [p.kind for p in problems] == ["slow"]
    assert "20× slower" in problems[0].message
    assert f"the median of {ROUNDS} rounds" in problems[0].message


def test_learner_and_reference_runs_are_interleaved_round_by_round() -> None:
    fake = runner([0.2] * 2 * ROUNDS, [0.01] * REPEATS * ROUNDS)
    kinds(fake)
    assert fake.order == ["L", "L", "R"] * ROUNDS


def test_one_stalled_round_gives_no_advice_and_stops_the_measuring() -> None:
    # Round 1 stalled (a busy machine, measured in wall time); round 2 is the truth: 2x.
    fake = runner([0.2, 0.2, 0.02, 0.02, 0.2, 0.2], [0.01] * 6)
    assert kinds(fake) == []
    assert fake.order == ["L", "L", "R", "L", "L", "R"]  # no third round


def test_a_stall_in_one_run_of_a_round_is_outvoted_by_the_best_run() -> None:
    fake = runner([0.3, 0.02], [0.01, 0.01])
    assert kinds(fake) == []
    assert fake.order == ["L", "L", "R"]


def test_no_round_beyond_the_first_when_it_is_not_far_slower() -> None:
    fake = runner([0.04, 0.04], [0.01, 0.01])  # 4x: below the ratio
    assert kinds(fake) == []
    assert fake.order == ["L", "L", "R"]


def test_fast_code_costs_one_run_and_no_reference() -> None:
    fake = runner([0.001], [])
    assert kinds(fake) == []
    assert fake.order == ["L"]


def test_a_failed_timing_run_in_a_later_round_gives_no_advice() -> None:
    fake = runner([0.2] * 6, [0.01] * 6, failing_run=3)
    assert kinds(fake) == []


def test_slow_code_runs_once_per_round() -> None:
    fake = runner([2.0] * ROUNDS, [0.01] * REPEATS * ROUNDS)
    assert kinds(fake) == ["slow"]
    assert fake.order == ["L", "R"] * ROUNDS


def test_timing_advice_is_not_measured_when_not_asked() -> None:
    # Slow, but light: nothing to advise on memory, so nothing more is run.
    fake = runner([0.2] * 6, [0.01] * 6, coach_timing=False)
    assert kinds(fake) == []
    assert fake.order == ["L"]


def test_memory_alone_is_measured_by_one_learner_run_and_the_reference() -> None:
    fake = runner([0.2] * 6, [0.01] * 6, coach_timing=False, peak=MEMORY_FLOOR * 2)
    assert kinds(fake) == ["memory_hungry"]  # the fake reference needs no extra memory
    assert fake.order == ["L", "R"]


@pytest.mark.parametrize(
    ("rounds", "confirmed"),
    [
        ([Round(0.2, 0.01)] * ROUNDS, True),
        ([Round(0.2, 0.01)] * (ROUNDS - 1), False),
        ([Round(0.2, 0.01)] * (ROUNDS - 1) + [Round(0.02, 0.01)], False),
        ([Round(0.012, 0.001)] * ROUNDS, True),  # 12x, and 11 ms beyond the reference
        ([Round(0.006, 0.0001)] * ROUNDS, False),  # 60x, but within the noise floor
    ],
)
def test_confirmation_of_injected_rounds(rounds: list[Round], confirmed: bool) -> None:
    assert (confirmed_slower(rounds) is not None) is confirmed


def test_another_round_only_while_every_round_agrees() -> None:
    slow, quick = Round(RATIO * 0.011, 0.01), Round(0.02, 0.01)
    assert needs_another_round([slow])
    assert not needs_another_round([slow, quick])
    assert not needs_another_round([slow] * ROUNDS)
    assert not needs_another_round([])
