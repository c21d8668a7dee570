"""The class reports, each a pure function of the graded submissions, and writing them out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from tensorlings.grading.errors import GradingError
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.class_json import class_json
from tensorlings.grading.reports.csv_report import grades_csv
from tensorlings.grading.reports.feedback import (
    FOLDER as FEEDBACK_FOLDER,
)
from tensorlings.grading.reports.feedback import (
    feedback_html,
    feedback_markdown,
    file_names,
)
from tensorlings.grading.reports.gradescope import gradescope_results
from tensorlings.grading.reports.html_report import class_report_html
from tensorlings.grading.reports.junit_report import junit_xml
from tensorlings.grading.reports.stats import exercise_order
from tensorlings.grading.scoring import score
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
    """Write grades.csv, junit.xml, report.html, class.json, feedback/<name>.html and .md for
    each submission (and gradescope/<name>/results.json)."""
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
    texts.update(_feedback(out_dir, graded, [i for i, _ in exercises], context))
    if gradescope:
        for item in graded:
            results = gradescope_results(item, exercises, context)
            path = out_dir / GRADESCOPE_FOLDER / item.submission / "results.json"
            texts[path] = json.dumps(results, indent=1) + "\n"
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return list(texts)


def _feedback(
    out_dir: Path, graded: Sequence[Graded], ids: Sequence[str], context: ClassContext
) -> dict[Path, str]:
    """Each submission's own feedback files, made from its result alone."""
    texts = {}
    names = file_names(graded)
    for item in graded:
        total = score(item, ids, context.config)
        stem = out_dir / FEEDBACK_FOLDER / names[item.submission]
        texts[stem.with_name(stem.name + ".html")] = feedback_html(item, total, context)
        texts[stem.with_name(stem.name + ".md")] = feedback_markdown(item, total, context)
    return texts
