"""Gradescope's results.json for one submission: a test per exercise, one point each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tensorlings.grading.model import Graded
from tensorlings.grading.reports.stats import results_by_id
from tensorlings.grading.reports.text import result_text


def gradescope_results(graded: Graded, exercises: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The results.json object; `exercises` (id, section) are the class's, so that a workbook
    that could not be checked still shows every exercise, at zero."""
    results = results_by_id(graded)
    tests: list[dict[str, Any]] = []
    for number, (exercise_id, section) in enumerate(exercises, start=1):
        result = results.get(exercise_id)
        passed = result is not None and result.status == "passed"
        tests.append(
            {
                "name": f"{exercise_id} ({section})",
                "number": str(number),
                "score": 1.0 if passed else 0.0,
                "max_score": 1.0,
                "status": "passed" if passed else "failed",
                "output": result_text(result) if result else "not checked: see the output above",
                "visibility": "visible",
            }
        )
    return {
        "score": float(sum(float(test["score"]) for test in tests)),
        "execution_time": round(sum(r.duration_s for r in graded.report.exercises), 3),
        "output": _summary(graded),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _summary(graded: Graded) -> str:
    error = graded.report.error
    if error is not None:
        return f"Your workbook could not be checked ({error.kind}): {error.message}"
    counts = graded.report.summary()
    return (
        f"{counts['passed']} of {counts['total']} exercises passed, {counts['failed']} failed, "
        f"{counts['not_started']} not started."
    )
