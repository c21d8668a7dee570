"""The class reports, each a pure function of the graded submissions, and writing them out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from tensorlings.grading.errors import GradingError
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.class_json import class_json
from tensorlings.grading.reports.csv_report import grades_csv
from tensorlings.grading.reports.gradescope import gradescope_results
from tensorlings.grading.reports.html_report import class_report_html
from tensorlings.grading.reports.junit_report import junit_xml
from tensorlings.grading.reports.stats import exercise_order
from tensorlings.grading.store import write_atomic

GRADESCOPE_FOLDER = "gradescope"

__all__ = [
    "class_json",
    "class_report_html",
    "grades_csv",
    "gradescope_results",
    "junit_xml",
    "write_reports",
]


def write_reports(
    out_dir: Path, graded: Sequence[Graded], *, gradescope: bool, context: ClassContext
) -> list[Path]:
    """Write grades.csv, junit.xml, report.html, class.json (and gradescope/<name>/results.json)."""
    exercises = exercise_order(graded)
    unknown = context.config.unknown_exercises([i for i, _ in exercises])
    if unknown and exercises:
        raise GradingError(
            f"the grading config {context.config.source!r} gives weights to "
            f"{', '.join(unknown)}, which no submission's report lists; fix the ids and run "
            "the same command again (the results are kept, only the reports are written)"
        )
    texts = {
        out_dir / "grades.csv": grades_csv(graded, context),
        out_dir / "junit.xml": junit_xml(graded, weak_isolation=not context.isolation.full),
        out_dir / "report.html": class_report_html(graded, context),
        out_dir / "class.json": json.dumps(class_json(graded, context), indent=1) + "\n",
    }
    if gradescope:
        for item in graded:
            results = gradescope_results(item, exercises, context)
            path = out_dir / GRADESCOPE_FOLDER / item.submission / "results.json"
            texts[path] = json.dumps(results, indent=1) + "\n"
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return list(texts)
