"""The class report's parts an instructor acts on: the sortable table of scores, the shared
mistakes, and one panel per submission with every exercise's verdict.

Every element that holds a number carries it in a data-* attribute, so tests (and scripts)
read the page back and compare it with class.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.mistakes import SharedMistake
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports import charts, feedback
from tensorlings.grading.reports.gradescope import FLAG_WORDS
from tensorlings.grading.reports.stats import results_by_id
from tensorlings.grading.safe_text import safe_text
from tensorlings.grading.scoring import ExerciseScore, Score
from tensorlings.vocab import Status

# Sorting is the one thing plain markup cannot do; the page still reads fully without it.
# `#sort=COLUMN` or `#sort=COLUMN-desc` in the address sorts on load (and links can share it);
# `#student-NAME` opens that submission's panel.
SORT_SCRIPT = """
(function () {
  var table = document.getElementById("scores");
  if (!table) return;
  var heads = table.tHead.rows[0].cells;
  function sortBy(column, descending) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var index = -1;
    for (var i = 0; i < heads.length; i++) if (heads[i].dataset.column === column) index = i;
    if (index < 0) return;
    var numeric = heads[index].dataset.type === "number";
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      if (descending) order = -order;
      // Ties stay in name order either way.
      return order || a.dataset.submission.localeCompare(b.dataset.submission);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    for (var j = 0; j < heads.length; j++) heads[j].removeAttribute("aria-sort");
    heads[index].setAttribute("aria-sort", descending ? "descending" : "ascending");
    table.dataset.sortedBy = column + (descending ? "-desc" : "");
  }
  Array.prototype.forEach.call(heads, function (head) {
    if (!head.dataset.column) return;
    head.addEventListener("click", function () {
      sortBy(head.dataset.column, head.getAttribute("aria-sort") === "ascending");
    });
  });
  var wanted = /sort=([a-z_]+)(-desc)?/.exec(window.location.hash);
  if (wanted) sortBy(wanted[1], Boolean(wanted[2]));
  // A link to a submission (#student-NAME) opens its panel.
  function openLinked() {
    var panel = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (panel && panel.tagName === "DETAILS") panel.open = true;
  }
  window.addEventListener("hashchange", openLinked);
  openLinked();
})();
"""


def anchor(submission: str) -> str:
    return f"student-{submission}"


def scores_table(graded: Sequence[Graded], scores: Sequence[Score]) -> str:
    """The sortable table: one row per submission, linking to its panel."""
    columns = (
        ("submission", "Submission", "text"), ("score", "Score", "number"),
        ("percent", "%", "number"), ("passed", "Passed", "number"),
        ("failed", "Failed", "number"), ("not_started", "Not started", "number"),
        ("notes", "Notes", "number"), ("flag", "Flag", "text"),
    )  # fmt: skip
    head = "".join(
        f'<th data-column="{key}" data-type="{kind}" title="sort">{title}</th>'
        for key, title, kind in columns
    )
    rows = [
        '<table id="scores" class="sortable"><thead><tr>'
        f"{head}<th>Exercises</th><th>Could not be checked</th></tr></thead><tbody>"
    ]
    for item, total in zip(graded, scores, strict=True):
        rows.append(_score_row(item, total))
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _score_row(item: Graded, total: Score) -> str:
    counts = item.report.summary()
    notes = sum(len(part.notes) for part in total.exercises)
    error = item.report.error
    problem = safe_text(f"{error.kind}: {error.message}"[:300]) if error else ""
    name = escape(item.submission)
    cells = (
        ("submission", item.submission, f'<a href="#{escape(anchor(item.submission))}">{name}</a>'),
        ("score", total.points, f"{total.points:g} / {total.max_points:g}"),
        ("percent", total.percent, f"{total.percent:g}"),
        ("passed", counts["passed"], str(counts["passed"])),
        ("failed", counts["failed"], str(counts["failed"])),
        ("not_started", counts["not_started"], str(counts["not_started"])),
        ("notes", notes, str(notes)),
        ("flag", item.flag or "", _flag_badge(item.flag)),
    )
    tds = "".join(
        f'<td data-column="{key}" data-value="{escape(str(value))}"'
        f"{' class=n' if isinstance(value, int | float) else ''}>{shown}</td>"
        for key, value, shown in cells
    )
    return (
        f'<tr data-submission="{name}" data-score="{total.points:g}" '
        f'data-percent="{total.percent:g}" data-passed="{counts["passed"]}" '
        f'data-failed="{counts["failed"]}" data-not-started="{counts["not_started"]}" '
        f'data-flag="{escape(item.flag or "")}" data-error="{escape(error.kind) if error else ""}">'
        f'{tds}<td class="strip">{_dots(item, total)}</td><td class="error">{escape(problem)}</td>'
        "</tr>"
    )


def _dots(item: Graded, total: Score) -> str:
    return "".join(
        f'<span class="dot {part.status}" title="{escape(part.id)}: '
        f'{escape(charts.STATUS_WORDS.get(part.status, part.status))}"></span>'
        for part in total.exercises
    )


def _flag_badge(flag: str | None) -> str:
    if not flag:
        return ""
    return f'<span class="flag" title="{escape(FLAG_WORDS.get(flag, flag))}">{escape(flag)}</span>'


def shared_mistakes_section(mistakes: Sequence[SharedMistake]) -> str:
    parts = [
        '<section id="shared-mistakes"><h2>Shared mistakes</h2>',
        '<p class="explain">Submissions that failed an exercise the same way: the same '
        "recognised mistake, or the same wrong output on the same call. Worth re-teaching.</p>",
    ]
    if not mistakes:
        parts.append('<p class="none">No two submissions failed an exercise the same way.</p>')
    for mistake in mistakes:
        links = ", ".join(
            f'<a href="#{escape(anchor(name))}">{escape(name)}</a>' for name in mistake.submissions
        )
        message = mistake.example_message
        shown_call = mistake.example_call
        if shown_call and message.startswith(shown_call):
            message = message[len(shown_call) :].lstrip(": ")  # the call is shown as code
        call = f"<code>{escape(safe_text(shown_call))}</code>: " if shown_call else ""
        parts.append(
            f'<div class="mistake" data-exercise="{escape(mistake.exercise)}" '
            f'data-count="{mistake.count}" data-named="{str(mistake.named).lower()}" '
            f'data-submissions="{escape(" ".join(mistake.submissions))}">'
            f'<h3><span class="count">{mistake.count}</span> × <code>{escape(mistake.exercise)}'
            f"</code>: {escape(safe_text(mistake.mistake))}</h3>"
            f'<p class="members">{links}</p>'
            f'<p class="example">Example ({escape(mistake.example_submission)}): {call}'
            f"{escape(safe_text(message))}</p></div>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def student_panels(graded: Sequence[Graded], scores: Sequence[Score]) -> str:
    parts = [
        '<section id="students"><h2>Each submission</h2>',
        '<p class="explain">Open a submission to see every exercise: its verdict, what failed '
        "with the call that shows it, and the notes, which do not fail it.</p>",
    ]
    names = feedback.file_names(graded)
    for item, total in zip(graded, scores, strict=True):
        parts.append(_panel(item, total, names[item.submission]))
    parts.append("</section>")
    return "\n".join(parts)


def _panel(item: Graded, total: Score, feedback_name: str) -> str:
    name = escape(item.submission)
    flag = f" · {_flag_badge(item.flag)}" if item.flag else ""
    lines = [
        f'<details class="student" id="{escape(anchor(item.submission))}" data-submission="{name}"'
        f' data-score="{total.points:g}" data-percent="{total.percent:g}">',
        f"<summary><b>{name}</b> · {total.points:g} / {total.max_points:g} points "
        f"({total.percent:g}%){flag}</summary>",
        f'<p class="meta">{escape(safe_text(item.report.file))}</p>',
        _feedback_links(feedback_name),
    ]
    if item.flag:
        lines.append(f'<p class="flag-text">{escape(FLAG_WORDS.get(item.flag, item.flag))}.</p>')
    if item.choice is not None:
        lines.append(f'<p class="choice">{escape(safe_text(item.choice_note()))}</p>')
    error = item.report.error
    if error is not None:
        lines.append(
            f'<p class="error" data-error="{escape(error.kind)}">Could not be checked '
            f"({escape(error.kind)}): {escape(safe_text(error.message))}</p>"
        )
    failed = [part.id for part in total.exercises if part.status == Status.FAILED]
    if failed:
        lines.append(f'<p class="failed-list">Failed: {escape(", ".join(failed))}.</p>')
    results = results_by_id(item)
    lines.append(
        '<table class="verdicts"><thead><tr><th>Exercise</th><th>Status</th><th>Points</th>'
        "<th>What failed</th><th>Notes</th></tr></thead><tbody>"
    )
    lines += [_verdict_row(part, results.get(part.id)) for part in total.exercises]
    lines.append("</tbody></table></details>")
    return "\n".join(lines)


def _feedback_links(name: str) -> str:
    """Links to the student's own feedback files, to hand back (grading writes them)."""
    where = f"{feedback.FOLDER}/{quote(name)}"
    return (
        f'<p class="feedback">Feedback to hand back: <a href="{escape(where)}.html">'
        f'{escape(name)}.html</a> · <a href="{escape(where)}.md">{escape(name)}.md</a></p>'
    )


def _verdict_row(part: ExerciseScore, result: ExerciseResult | None) -> str:
    failing = [p for p in result.problems if p.fails] if result else []
    problems = "".join(_problem_item(p, "problem") for p in failing)
    notes = "".join(_problem_item(p, "note") for p in part.notes)
    status = charts.STATUS_WORDS.get(part.status, part.status)
    return (
        f'<tr class="verdict" data-exercise="{escape(part.id)}" data-status="{part.status}" '
        f'data-points="{part.points:g}">'
        f'<td><code>{escape(part.id)}</code></td><td><span class="dot {part.status}"></span> '
        f"{escape(status)}</td><td class=n>{part.points:g} / {part.max_points:g}</td>"
        f"<td>{f'<ul>{problems}</ul>' if problems else ''}</td>"
        f"<td>{f'<ul class=notes>{notes}</ul>' if notes else ''}</td></tr>"
    )


def _problem_item(problem: Problem, role: str) -> str:
    call = (
        f' <span class="call" data-role="call"><code>{escape(safe_text(problem.call))}</code>'
        "</span>"
        if problem.call
        else ""
    )
    mistake = f' data-mistake="{escape(problem.mistake)}"' if problem.mistake else ""
    line = f" (line {problem.line})" if problem.line is not None else ""
    return (
        f'<li class="{role}" data-kind="{escape(problem.kind)}"{mistake}><b>'
        f"{escape(problem.kind)}</b>{line}: {escape(safe_text(problem.message[:2000]))}{call}</li>"
    )


def isolation_banner(context: ClassContext) -> str:
    warning = context.isolation.warning()
    if warning is None:
        return ""
    return f'<p class="warning" id="weak-isolation" role="alert">{escape(warning)}</p>'
