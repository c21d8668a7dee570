"""report.html: the class report, one self-contained page (inline CSS and SVG, no script)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from html import escape

from tensorlings.grading.model import Graded
from tensorlings.grading.reports import charts
from tensorlings.grading.reports.stats import (
    ExerciseStats,
    exercise_order,
    exercise_stats,
    hardest,
    results_by_id,
)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 24px auto; max-width: 1000px; color: #212121; background: #fff; }
h1 { margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #e0e0e0; }
.meta, .explain { color: #616161; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { border: 1px solid #e0e0e0; border-radius: 6px; padding: 10px 16px; flex: 1; }
.card b { display: block; font-size: 28px; }
svg text { font-size: 12px; fill: #212121; }
svg .label { text-anchor: end; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
svg .tick { text-anchor: middle; fill: #616161; }
svg .track { fill: #f5f5f5; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #eeeeee; padding: 4px 6px; text-align: left;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.strip { white-space: nowrap; }
.dot { display: inline-block; width: 9px; height: 14px; margin-right: 1px; }
.passed { background: #2e7d32; } .failed { background: #c62828; }
.not_started { background: #bdbdbd; } .unchecked { background: #6d4c41; }
.error { color: #c62828; }
"""


def class_report_html(graded: Sequence[Graded], *, generator: str = "tensorlings") -> str:
    """The whole page as text; every number on it is counted from the reports given."""
    stats = exercise_stats(graded)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Class report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Class report</h1>",
        f'<p class="meta">{len(graded)} submissions, {len(stats)} exercises. '
        f"Made by {escape(generator)}.</p>",
        _cards(graded),
        *_charts(graded, stats),
        "<h2>Submissions</h2>",
        _submissions_table(graded),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(graded: Sequence[Graded]) -> str:
    unchecked = sum(1 for g in graded if g.could_not_check)
    failing = sum(1 for g in graded if g.failed_something)
    perfect = sum(1 for g in graded if _passed_all(g))
    passed = [g.report.summary()["passed"] for g in graded]
    median = statistics.median(passed) if passed else 0
    cards = (
        ("submissions", len(graded)),
        ("passed every exercise", perfect),
        ("failed some exercise", failing),
        ("could not be checked", unchecked),
        ("median exercises passed", f"{median:g}"),
    )
    inner = "".join(
        f'<div class="card" data-card="{escape(name)}"><b>{escape(str(value))}</b>'
        f"{escape(name)}</div>"
        for name, value in cards
    )
    return f'<div class="cards">{inner}</div>'


def _passed_all(graded: Graded) -> bool:
    report = graded.report
    return report.error is None and all(r.status == "passed" for r in report.exercises)


def _charts(graded: Sequence[Graded], stats: Sequence[ExerciseStats]) -> list[str]:
    worst = hardest(stats)
    per_submission = [g.report.summary()["passed"] for g in graded]
    histogram = [per_submission.count(n) for n in range(len(stats) + 1)]
    return [
        "<h2>Pass rate per exercise</h2>",
        '<p class="explain">Each bar is every submission: passed, failed, not started, '
        "or in a workbook that could not be checked.</p>",
        charts.pass_rate_chart(stats),
        "<h2>Hardest exercises</h2>",
        '<p class="explain">Failed most often, of the submissions that tried them.</p>',
        charts.hardest_chart(worst) if worst else "<p>No exercise was failed.</p>",
        "<h2>Most common problems per exercise</h2>",
        '<p class="explain">How many submissions failed each exercise with each kind of '
        "problem (one submission may have several).</p>",
        charts.kinds_chart(stats) if any(s.kinds for s in stats) else "<p>No problems.</p>",
        "<h2>Exercises passed per submission</h2>",
        charts.histogram(histogram, "exercises passed → number of submissions"),
    ]


def _submissions_table(graded: Sequence[Graded]) -> str:
    order = exercise_order(graded)
    rows = [
        "<table><thead><tr><th>Submission</th><th>Passed</th><th>Failed</th>"
        "<th>Not started</th><th>Exercises</th><th>Could not be checked</th></tr></thead><tbody>"
    ]
    for item in graded:
        counts = item.report.summary()
        results = results_by_id(item)
        dots = "".join(
            f'<span class="dot {status}" title="{escape(exercise_id)}: '
            f'{escape(charts.STATUS_WORDS.get(status, status))}"></span>'
            for exercise_id, _ in order
            for status in [results[exercise_id].status if exercise_id in results else "unchecked"]
        )
        error = item.report.error
        problem = f"{error.kind}: {error.message}" if error else ""
        rows.append(
            f'<tr data-submission="{escape(item.submission)}" data-passed="{counts["passed"]}" '
            f'data-failed="{counts["failed"]}" data-not-started="{counts["not_started"]}" '
            f'data-error="{escape(error.kind) if error else ""}">'
            f"<td>{escape(item.submission)}</td>"
            f'<td class="n">{counts["passed"]}</td><td class="n">{counts["failed"]}</td>'
            f'<td class="n">{counts["not_started"]}</td><td class="strip">{dots}</td>'
            f'<td class="error">{escape(problem[:300])}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)
