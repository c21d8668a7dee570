"""Gradescope's results.json for one submission: a test per exercise, worth its weight.

The format is Gradescope's autograder specification: `score`, `output`, `visibility`,
`stdout_visibility`, `extra_data` and `tests` (each with `name`, `number`, `score`,
`max_score`, `status`, `output`, `visibility`). Notes that do not fail an exercise are shown
apart in its output, with what they cost under the config (nothing by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tensorlings.checker.results import ExerciseResult
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.stats import results_by_id
from tensorlings.grading.reports.text import result_text
from tensorlings.grading.safe_text import safe_text
from tensorlings.grading.scoring import ExerciseScore, score
from tensorlings.vocab import Status

FLAG_WORDS = {
    "empty": "the upload is empty",
    "not_a_workbook": "the upload is not this sheet's workbook (no exercise function in it)",
    "untouched_template": "the upload is the untouched template: no exercise was attempted",
    "no_code": "the upload holds no code",
    "unreadable": "the upload could not be read",
    "foreign_pack": (
        "the upload's header names a pack that is not installed (a file beside it, perhaps); "
        "that file was not run: a workbook may not choose code for the grader to run"
    ),
}


def gradescope_results(
    graded: Graded, exercises: Sequence[tuple[str, str]], context: ClassContext | None = None
) -> dict[str, Any]:
    """The results.json object; `exercises` (id, section) are the class's, so that a workbook
    that could not be checked still shows every exercise, at zero."""
    context = context or ClassContext()
    config = context.config
    results = results_by_id(graded)
    total = score(graded, [i for i, _ in exercises], config)
    tests = [
        _test(number, exercise_id, section, part, results.get(exercise_id), config.visibility)
        for number, ((exercise_id, section), part) in enumerate(
            zip(exercises, total.exercises, strict=True), start=1
        )
    ]
    return {
        "score": total.points,
        "execution_time": round(sum(r.duration_s for r in graded.report.exercises), 3),
        "output": _summary(graded, total.points, total.max_points),
        "visibility": config.summary_visibility,
        "stdout_visibility": config.stdout_visibility,
        "extra_data": {
            "flag": graded.flag,
            "workbook_choice": graded.choice.to_json() if graded.choice is not None else None,
            "percent": total.percent,
            "seed": graded.report.seed,
            "isolation_full": context.isolation.full,
        },
        "tests": tests,
    }


def _test(
    number: int,
    exercise_id: str,
    section: str,
    part: ExerciseScore,
    result: ExerciseResult | None,
    visibility: str,
) -> dict[str, Any]:
    text = result_text(result, part.note_cost) if result else "not checked: see the output above"
    return {
        "name": f"{exercise_id} ({section})",
        "number": str(number),
        "score": part.points,
        "max_score": part.max_points,
        "status": "passed" if part.status == Status.PASSED else "failed",
        "output": text,
        "visibility": visibility,
    }


def _summary(graded: Graded, points: float, max_points: float) -> str:
    lines = []
    if graded.flag:
        lines.append(f"Note: {FLAG_WORDS.get(graded.flag, graded.flag)}.")
    if graded.choice is not None:
        lines.append(f"Note: {graded.choice.note('your submission')}")
    error = graded.report.error
    if error is not None:
        lines.append(f"Your workbook could not be checked ({error.kind}): {error.message}")
    else:
        counts = graded.report.summary()
        lines.append(
            f"{counts['passed']} of {counts['total']} exercises passed, {counts['failed']} "
            f"failed, {counts['not_started']} not started: {points:g} of {max_points:g} points."
        )
    return safe_text("\n".join(lines))
