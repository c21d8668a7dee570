"""Scores: each exercise's points under the grading config, and the submission's total.

A passed exercise earns its weight; a failed or not started one earns nothing. Notes (problems
that do not fail the exercise) cost nothing unless the config gives `edge_case_cost`: a passed
exercise with an edge-case note then loses that share of its points, once however many notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.config import GradingConfig
from tensorlings.grading.model import Graded
from tensorlings.vocab import ProblemKind, Status


@dataclass(frozen=True)
class ExerciseScore:
    id: str
    status: Status | Literal["unchecked"]  # unchecked: the file could not be checked
    points: float
    max_points: float
    notes: tuple[Problem, ...] = ()  # problems that do not fail it
    note_cost: float = 0.0  # points lost to edge-case notes


@dataclass(frozen=True)
class Score:
    points: float
    max_points: float
    exercises: tuple[ExerciseScore, ...]

    @property
    def percent(self) -> float:
        """Out of 100, two decimals; 0 when nothing can be earned."""
        return round(100 * self.points / self.max_points, 2) if self.max_points else 0.0


# The coach's timing advice: its measure can depend on the machine (docs/reference/machine.md).
TIMING_KINDS = (ProblemKind.SLOW,)


def notes_of(result: ExerciseResult, timing_advice: bool = True) -> tuple[Problem, ...]:
    """The problems that do not fail it; timing advice only when asked for."""
    return tuple(
        p for p in result.problems if not p.fails and (timing_advice or p.kind not in TIMING_KINDS)
    )


def exercise_score(
    exercise_id: str, result: ExerciseResult | None, config: GradingConfig
) -> ExerciseScore:
    weight = config.weight(exercise_id)
    if result is None:
        return ExerciseScore(exercise_id, "unchecked", 0.0, weight)
    notes = notes_of(result, config.timing_advice)
    if result.status != Status.PASSED:
        return ExerciseScore(exercise_id, result.status, 0.0, weight, notes)
    cost = (
        weight * config.edge_case_cost
        if any(n.kind == ProblemKind.EDGE_CASE for n in notes)
        else 0.0
    )
    return ExerciseScore(exercise_id, Status.PASSED, round(weight - cost, 4), weight, notes, cost)


def score(graded: Graded, exercise_ids: Sequence[str], config: GradingConfig) -> Score:
    """The submission's score over the class's exercises (a workbook that could not be
    checked scores zero on each, out of the same total)."""
    results = {result.id: result for result in graded.report.exercises}
    parts = tuple(exercise_score(i, results.get(i), config) for i in exercise_ids)
    points = round(sum(p.points for p in parts), 4)
    return Score(points, round(sum(p.max_points for p in parts), 4), parts)
