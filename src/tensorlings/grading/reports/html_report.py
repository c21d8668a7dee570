"""report.html: the class report, one self-contained page (inline CSS, SVG and one small
script that sorts the scores table; everything reads without it)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from html import escape

from tensorlings.grading.mistakes import shared_mistakes
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports import charts
from tensorlings.grading.reports.html_sections import (
    SORT_SCRIPT,
    isolation_banner,
    scores_table,
    shared_mistakes_section,
    student_panels,
)
from tensorlings.grading.reports.stats import (
    ExerciseStats,
    exercise_order,
    exercise_stats,
    hardest,
)
from tensorlings.grading.scoring import score
from tensorlings.vocab import Status

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 24px auto; max-width: 1600px; padding: 0 24px; color: #212121; background: #fff; }
/* Wide content scrolls in its own box, never the page; charts shrink to their column. */
.wide { overflow-x: auto; } svg { max-width: 100%; height: auto; }
#scores td.n { white-space: nowrap; } #scores td.error { min-width: 14em; }
#scores td.error, li, .example { overflow-wrap: anywhere; }
#scores td[data-column=submission] { overflow-wrap: anywhere; min-width: 9em; }
#scores td.strip { white-space: normal; min-width: 12em; line-height: 12px; }
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
.warning { background: #fff3e0; border: 1px solid #ef6c00; padding: 8px 12px; }
th[data-column] { cursor: pointer; } th[aria-sort=ascending]::after { content: " ▲"; }
th[aria-sort=descending]::after { content: " ▼"; }
.flag { background: #fff8e1; border: 1px solid #f9a825; border-radius: 3px; padding: 0 4px; }
.mistake { border-left: 4px solid #c62828; padding: 2px 12px; margin: 10px 0; }
.mistake h3 { font-size: 15px; margin: 6px 0; } .count { font-size: 18px; }
.example { color: #424242; font-size: 13px; }
details.student { border: 1px solid #e0e0e0; border-radius: 6px; margin: 6px 0;
                  padding: 4px 10px; }
details.student summary { cursor: pointer; padding: 4px 0; }
li.note { color: #6d4c41; } ul { margin: 0; padding-left: 18px; }
table.verdicts td:nth-child(-n+3) { white-space: nowrap; }
tr.verdict[data-status=passed] td { color: #616161; }
"""


def class_report_html(graded: Sequence[Graded], context: ClassContext | None = None) -> str:
    """The whole page as text; every number on it is counted from the reports given."""
    context = context or ClassContext()
    stats = exercise_stats(graded)
    ids = [exercise_id for exercise_id, _ in exercise_order(graded)]
    scores = [score(item, ids, context.config) for item in graded]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Class report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Class report</h1>",
        f'<p class="meta">{len(graded)} submissions, {len(stats)} exercises, '
        f"{sum(context.config.weight(i) for i in ids):g} points. "
        + (f"Seed {context.seed}. " if context.seed is not None else "")
        + f"Pack: {escape(context.pack)}. Made by {escape(context.generator)}.</p>",
        isolation_banner(context),
        _cards(graded),
        "<h2>Submissions</h2>",
        '<p class="explain">Click a column to sort; a name opens its details below.</p>',
        f'<div class="wide">{scores_table(graded, scores)}</div>',
        shared_mistakes_section(shared_mistakes(graded)),
        *_charts(graded, stats),
        student_panels(graded, scores),
        f"<script>{SORT_SCRIPT}</script>",
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
    return report.error is None and all(r.status == Status.PASSED for r in report.exercises)


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
