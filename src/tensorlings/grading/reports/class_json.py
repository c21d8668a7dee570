"""class.json: the class report as data (schema "tensorlings.class/1": docs/reference/json.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tensorlings.checker.results import Problem
from tensorlings.grading.mistakes import SharedMistake, shared_mistakes
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.stats import exercise_order, exercise_stats
from tensorlings.grading.safe_text import escaped
from tensorlings.grading.scoring import ExerciseScore, score

SCHEMA = "tensorlings.class/1"
MAX_TEXT = 4000  # characters of one message: a report stays readable whatever the code raised


def class_json(graded: Sequence[Graded], context: ClassContext) -> dict[str, Any]:
    """Scores, flags, every exercise's verdict and the shared mistakes, as JSON data."""
    ids = [exercise_id for exercise_id, _ in exercise_order(graded)]
    isolation = context.isolation
    data = {
        "schema": SCHEMA,
        "generator": context.generator,
        "pack": context.pack,
        "seed": context.seed,
        "isolation": {
            "full": isolation.full,
            "weak_allowed": isolation.weak_allowed,
            "missing": list(isolation.missing),
            "warning": isolation.warning(),
        },
        "config": context.config.to_json(),
        "max_score": sum(context.config.weight(i) for i in ids),
        "exercises": [
            {
                "id": s.id,
                "section": s.section,
                "weight": context.config.weight(s.id),
                "passed": s.passed,
                "failed": s.failed,
                "not_started": s.not_started,
                "unchecked": s.unchecked,
            }
            for s in exercise_stats(graded)
        ],
        "submissions": [_submission(item, ids, context) for item in graded],
        "shared_mistakes": [_shared(m) for m in shared_mistakes(graded)],
    }
    return dict(escaped(data))


def _shared(mistake: SharedMistake) -> dict[str, Any]:
    return {
        "exercise": mistake.exercise,
        "mistake": mistake.mistake,
        "named": mistake.named,
        "kind": mistake.kind,
        "count": mistake.count,
        "submissions": list(mistake.submissions),
        "example": {
            "submission": mistake.example_submission,
            "message": mistake.example_message[:MAX_TEXT],
            "call": mistake.example_call,
        },
    }


def _submission(item: Graded, ids: Sequence[str], context: ClassContext) -> dict[str, Any]:
    result = score(item, ids, context.config)
    error = item.report.error
    return {
        "name": item.submission,
        "file": item.report.file,
        "score": result.points,
        "max_score": result.max_points,
        "percent": result.percent,
        "flag": item.flag,
        "workbook_choice": item.choice.to_json() if item.choice is not None else None,
        "error": {"kind": error.kind, "message": error.message[:MAX_TEXT]} if error else None,
        "summary": item.report.summary(),
        "exercises": [_exercise(part, item) for part in result.exercises],
    }


def _exercise(part: ExerciseScore, item: Graded) -> dict[str, Any]:
    failing = next((r.problems for r in item.report.exercises if r.id == part.id), ())
    return {
        "id": part.id,
        "status": part.status,
        "points": part.points,
        "max_points": part.max_points,
        "problems": [_problem(p) for p in failing if p.fails],
        "notes": [_problem(p) for p in part.notes],
    }


def _problem(problem: Problem) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": problem.kind, "message": problem.message[:MAX_TEXT]}
    for key in ("call", "line", "mistake"):
        if getattr(problem, key) is not None:
            data[key] = getattr(problem, key)
    return data
