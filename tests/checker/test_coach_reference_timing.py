"""The coach times the reference once per run for a given exercise, input and seed (a grader
checks a class with one seed), and still confirms any advice against a fresh timing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tensorlings import catalogue
from tensorlings.checker import coach
from tensorlings.checker.sandbox import Limits


@dataclass
class FakeRunner:
    """Stands in for a session: the learner's timing is set, the reference's is counted."""

    learner_seconds: float
    limits: Limits = field(default_factory=Limits)
    catalogue: Any = field(default_factory=catalogue.sheet)
    profiled: int = 0

    def run(self, name: str, calls: list[Any], record: bool, seconds: float) -> list[Any]:
        return [{"status": "ok", "seconds": self.learner_seconds, "peak_extra_bytes": 0}] * len(
            calls
        )

    def profile_reference(self, exercise_id: str, args: list[Any], seed: int) -> dict[str, Any]:
        self.profiled += 1
        return {"seconds": [0.02, 0.02], "peaks": [0, 0]}


def test_the_reference_is_timed_once_per_exercise_input_and_seed() -> None:
    coach._REFERENCE_TIMINGS.clear()
    exercise = catalogue.get("relu_where")
    runner = FakeRunner(learner_seconds=0.03)
    for _ in range(3):  # three submissions of a class, as fast as the reference
        assert coach.coach_problems(exercise, runner, 11, "cpu") == []
    assert runner.profiled == 1
    coach.coach_problems(exercise, runner, 12, "cpu")  # another seed: other inputs
    assert runner.profiled == 2


def test_advice_is_confirmed_against_a_fresh_timing_of_the_reference() -> None:
    coach._REFERENCE_TIMINGS.clear()
    exercise = catalogue.get("relu_where")
    coach.coach_problems(exercise, FakeRunner(learner_seconds=0.03), 11, "cpu")
    slow = FakeRunner(learner_seconds=0.5)
    [advice] = coach.coach_problems(exercise, slow, 11, "cpu")
    assert advice.kind == "slow" and not advice.fails
    assert slow.profiled == 1  # the kept timing, then a fresh one before advising
