"""grades.csv: one row per submission, with its totals and each exercise's status."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from tensorlings.grading.model import Graded
from tensorlings.grading.reports.stats import exercise_order, results_by_id

TOTAL_COLUMNS = ("passed", "failed", "not_started", "total")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def grades_csv(graded: Sequence[Graded]) -> str:
    """The CSV text; an exercise's cell is passed, failed or not_started (empty: not checked).

    Columns: submission, workbook, passed, failed, not_started, total, error, error_message,
    then one per exercise id.
    """
    ids = [exercise_id for exercise_id, _ in exercise_order(graded)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "workbook", *TOTAL_COLUMNS, "error", "error_message", *ids])
    for item in graded:
        counts = item.report.summary()
        error = item.report.error
        statuses = results_by_id(item)
        writer.writerow(
            [
                item.submission,
                _text(item.report.file),
                *(counts[column] for column in TOTAL_COLUMNS),
                error.kind if error else "",
                _text(error.message) if error else "",
                *(statuses[i].status if i in statuses else "" for i in ids),
            ]
        )
    return buffer.getvalue()


def _text(value: str) -> str:
    """Free text, kept from being read as a formula by a spreadsheet."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
