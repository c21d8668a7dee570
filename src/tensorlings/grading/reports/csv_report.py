"""grades.csv: one row per submission, with its score, totals and each exercise's status.

Score columns are plain numbers (a dot for decimals, no % sign), so a gradebook (Canvas,
Moodle, a spreadsheet) imports `score` or `percent` as a number column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.stats import exercise_order, results_by_id
from tensorlings.grading.safe_text import safe_text
from tensorlings.grading.scoring import score

TOTAL_COLUMNS = ("passed", "failed", "not_started", "total")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def grades_csv(graded: Sequence[Graded], context: ClassContext | None = None) -> str:
    """The CSV text; an exercise's cell is passed, failed or not_started (empty: not checked).

    Columns: submission, workbook, score, max_score, percent, flag, passed, failed,
    not_started, total, notes (what does not fail: `exercise: kind`), isolation, error,
    error_message, workbook_choice (a folder with both workbooks: which was graded and why),
    then one per exercise id.
    """
    context = context or ClassContext()
    ids = [exercise_id for exercise_id, _ in exercise_order(graded)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["submission", "workbook", "score", "max_score", "percent", "flag", *TOTAL_COLUMNS,
         "notes", "isolation", "error", "error_message", "workbook_choice", *ids]
    )  # fmt: skip
    isolation = "full" if context.isolation.full else "weak"
    for item in graded:
        counts: dict[str, object] = dict(item.report.summary())
        error = item.report.error
        statuses = results_by_id(item)
        result = score(item, ids, context.config)
        notes = [f"{part.id}: {note.kind}" for part in result.exercises for note in part.notes]
        writer.writerow(
            [
                _text(item.submission),
                _text(item.report.file),
                _number(result.points),
                _number(result.max_points),
                _number(result.percent),
                item.flag or "",
                *(counts[column] for column in TOTAL_COLUMNS),
                _text("; ".join(notes)),
                isolation,
                error.kind if error else "",
                _text(error.message) if error else "",
                _text(item.choice_note()),
                *(statuses[i].status if i in statuses else "" for i in ids),
            ]
        )
    return buffer.getvalue()


def _number(value: float) -> str:
    """3, 3.5, 33.33: no trailing zeros, never an exponent."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _text(value: str) -> str:
    """Free text, with control characters escaped and kept from being read as a formula."""
    value = safe_text(value)
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
