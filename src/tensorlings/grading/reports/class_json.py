"""class.json: the class report as data (schema "tensorlings.class/1": docs/reference/json.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal, TypedDict, cast

from tensorlings.checker.results import Problem, SummaryJSON
from tensorlings.grading.mistakes import SharedMistake, shared_mistakes
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.stats import exercise_order, exercise_stats
from tensorlings.grading.safe_text import escaped
from tensorlings.grading.scoring import ExerciseScore, score
from tensorlings.vocab import ProblemKind, Status

SCHEMA: Final = "tensorlings.class/1"
MAX_TEXT = 4000  # characters of one message: a report stays readable whatever the code raised


class IsolationJSON(TypedDict):
    """How isolated the run's checks were; `warning` says what was missing."""

    full: bool
    weak_allowed: bool
    missing: list[str]
    warning: str | None


class ExerciseStatsJSON(TypedDict):
    """One exercise across the class: its weight and how many submissions ended each way."""

    id: str
    section: str
    weight: float
    passed: int
    failed: int
    not_started: int
    unchecked: int


class _ClassProblemJSON(TypedDict):
    kind: ProblemKind
    message: str


class ClassProblemJSON(_ClassProblemJSON, total=False):
    """A problem or a note of one submission's exercise (the message capped)."""

    call: str
    line: int
    mistake: str


class ExerciseScoreJSON(TypedDict):
    """One submission's exercise: its status (`unchecked`: the file could not be checked),
    points, failing problems and the notes that did not fail it."""

    id: str
    status: Status | Literal["unchecked"]
    points: float
    max_points: float
    problems: list[ClassProblemJSON]
    notes: list[ClassProblemJSON]


class SubmissionErrorJSON(TypedDict):
    """Why a submission's file could not be checked."""

    kind: str
    message: str


class SubmissionJSON(TypedDict):
    """One submission: its score, its flag (an odd upload) and every exercise."""

    name: str
    file: str
    score: float
    max_score: float
    percent: float
    flag: str | None
    workbook_choice: dict[str, Any] | None  # which of two workbooks was checked, and why
    error: SubmissionErrorJSON | None
    summary: SummaryJSON
    exercises: list[ExerciseScoreJSON]


class MistakeExampleJSON(TypedDict):
    """One submission that made a shared mistake, with its message and call."""

    submission: str
    message: str
    call: str | None


class SharedMistakeJSON(TypedDict):
    """A mistake several submissions made on one exercise."""

    exercise: str
    mistake: str
    named: bool
    kind: str
    count: int
    submissions: list[str]
    example: MistakeExampleJSON


class ClassJSON(TypedDict):
    """A graded class: `class.json`, written by `tensorlings grade`."""

    schema: Literal["tensorlings.class/1"]
    generator: str
    pack: str
    seed: int | None
    isolation: IsolationJSON
    config: dict[str, Any]  # the grading config in force (weights, costs, Gradescope settings)
    max_score: float
    exercises: list[ExerciseStatsJSON]
    submissions: list[SubmissionJSON]
    shared_mistakes: list[SharedMistakeJSON]


def class_json(graded: Sequence[Graded], context: ClassContext) -> ClassJSON:
    """Scores, flags, every exercise's verdict and the shared mistakes, as JSON data."""
    ids = [exercise_id for exercise_id, _ in exercise_order(graded)]
    isolation = context.isolation
    data: ClassJSON = {
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
    return cast(ClassJSON, escaped(data))


def _shared(mistake: SharedMistake) -> SharedMistakeJSON:
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


def _submission(item: Graded, ids: Sequence[str], context: ClassContext) -> SubmissionJSON:
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


def _exercise(part: ExerciseScore, item: Graded) -> ExerciseScoreJSON:
    failing = next((r.problems for r in item.report.exercises if r.id == part.id), ())
    return {
        "id": part.id,
        "status": part.status,
        "points": part.points,
        "max_points": part.max_points,
        "problems": [_problem(p) for p in failing if p.fails],
        "notes": [_problem(p) for p in part.notes],
    }


def _problem(problem: Problem) -> ClassProblemJSON:
    data: dict[str, Any] = {"kind": problem.kind, "message": problem.message[:MAX_TEXT]}
    for key in ("call", "line", "mistake"):  # the keys ClassProblemJSON declares
        if getattr(problem, key) is not None:
            data[key] = getattr(problem, key)
    return cast(ClassProblemJSON, data)
