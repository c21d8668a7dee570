"""Each student's feedback file, `feedback/<name>.html` and `feedback/<name>.md`: that
submission's score, every exercise's status, what failed and why, the notes, and the hints to
try next. Made from that one submission's result alone: nothing of another student, nothing
of the reference solution. How much of a failing input it shows follows `[feedback] inputs`.

Everything that came from the learner's file (messages quote its code and its output) is
escaped for the format: HTML-escaped in the page, backslash-escaped or fenced in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from tensorlings.checker.results import Problem
from tensorlings.grading.config import FeedbackInputs
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports.charts import STATUS_WORDS
from tensorlings.grading.reports.gradescope import FLAG_WORDS
from tensorlings.grading.reports.shown_inputs import shown_call, shown_message, shown_text
from tensorlings.grading.reports.stats import results_by_id
from tensorlings.grading.safe_text import safe_text
from tensorlings.grading.scoring import Score
from tensorlings.grading.submissions import unique_names
from tensorlings.vocab import Status

FOLDER = "feedback"
_MESSAGE_CHARS = 2000
_OUTPUT_CHARS = 2000


@dataclass(frozen=True)
class Shown:
    """One problem or note as the student reads it."""

    kind: str
    line: int | None
    message: str
    call: str | None


@dataclass(frozen=True)
class ExerciseFeedback:
    id: str
    status: str
    points: float
    max_points: float
    problems: tuple[Shown, ...]
    notes: tuple[Shown, ...]
    hints: tuple[str, ...]
    output: str


def file_names(graded: Sequence[Graded]) -> dict[str, str]:
    """submission -> the stem of its feedback files: safe (letters, digits, '.', '_', '-';
    never a path) and unique, whatever the submission's name."""
    names = unique_names(item.submission for item in graded)
    return {item.submission: name for item, name in zip(graded, names, strict=True)}


def exercises(item: Graded, total: Score, inputs: FeedbackInputs) -> list[ExerciseFeedback]:
    results = results_by_id(item)
    shown = []
    for part in total.exercises:
        result = results.get(part.id)
        failing = [p for p in result.problems if p.fails] if result else []
        shown.append(
            ExerciseFeedback(
                id=part.id,
                status=part.status,
                points=part.points,
                max_points=part.max_points,
                problems=tuple(_shown(p, inputs) for p in failing),
                notes=tuple(_shown(p, inputs) for p in part.notes),
                hints=tuple(item.hints.get(part.id, ())) if part.status == Status.FAILED else (),
                output=_output(result.output, inputs) if result else "",
            )
        )
    return shown


def _output(printed: str, inputs: FeedbackInputs) -> str:
    """What the code printed: code that prints its arguments shows the failing inputs, so
    their tensors are shown as the config says, as in the messages."""
    return safe_text(shown_text(printed, inputs)[:_OUTPUT_CHARS])


# The grading seed stays with the instructor: a student who knew it could hard-code the
# answers to its random cases in a resubmission graded into the same folder.
_REPEAT_WITH_SEED = re.compile(r";?\s*`tensorlings check[^`]*--seed \d+` repeats it")
_SEED = re.compile(r"--seed \d+")


def _seed_hidden(text: str, context: ClassContext) -> str:
    """The text with the run's seed taken out wherever it shows (learner code can print the
    per-call seeds, which start with it). A seed too short to be told from other numbers was
    chosen with --seed, not drawn, and is left."""
    seed = str(context.seed) if context.seed is not None else ""
    return text.replace(seed, "(seed)") if len(seed) >= 6 else text


def _without_seed(message: str) -> str:
    return _SEED.sub("--seed (kept by your instructor)", _REPEAT_WITH_SEED.sub("", message))


def _shown(problem: Problem, inputs: FeedbackInputs) -> Shown:
    message = safe_text(_without_seed(shown_message(problem, inputs))[:_MESSAGE_CHARS])
    call = shown_call(problem.call, inputs)
    if call and message.startswith(call):
        message = message[len(call) :].lstrip(": ")  # the call is shown on its own
    return Shown(problem.kind, problem.line, message, safe_text(call) if call else None)


def headline(item: Graded, total: Score) -> list[str]:
    """The score and counts, then why the file could not be checked or was flagged."""
    counts = item.report.summary()
    lines = [
        f"Score: {total.points:g} / {total.max_points:g} points ({total.percent:g}%).",
        f"{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['not_started']} not started.",
    ]
    if item.flag:
        lines.append(f"This upload was flagged: {FLAG_WORDS.get(item.flag, item.flag)}.")
    error = item.report.error
    if error is not None:
        lines.append(f"Your workbook could not be checked ({error.kind}): {error.message}")
    return [safe_text(line) for line in lines]


def fix_heading(item: Graded, shown: Sequence[ExerciseFeedback]) -> str:
    """The heading over the failures. "Nothing failed" only where something was checked and
    passed: above a file that could not be checked, or an empty one, it reads as praise."""
    if any(e.problems for e in shown):
        return "What to fix"
    if item.report.error is not None:
        return "Nothing was checked"
    if not any(e.status == Status.PASSED for e in shown):
        return "Nothing attempted yet"
    return "Nothing failed"


def load_notes(item: Graded) -> list[str]:
    return [safe_text(f"line {note.line}: {note.message}") for note in item.report.load_notes]


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 24px auto; max-width: 900px; padding: 0 16px; color: #212121; }
section.exercise { border-left: 4px solid #c62828; padding: 2px 12px; margin: 12px 0; }
section.exercise[data-status=passed] { border-color: #2e7d32; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f5; padding: 6px; }
li { overflow-wrap: anywhere; } .note { color: #6d4c41; } .meta { color: #616161; }
table { border-collapse: collapse; } td, th { padding: 2px 10px 2px 0; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
"""


def feedback_html(item: Graded, total: Score, context: ClassContext) -> str:
    name = escape(safe_text(item.submission))
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Feedback: {name}</title><style>{_CSS}</style></head><body>",
        f'<h1>Feedback for <span data-submission="{name}">{name}</span></h1>',
        f'<p class="meta">{escape(safe_text(item.report.file))} · made by '
        f"{escape(context.generator)}</p>",
        *(f'<p class="headline">{escape(line)}</p>' for line in headline(item, total)),
    ]
    notes = load_notes(item)
    if notes:
        items = "".join(f"<li>{escape(n)}</li>" for n in notes)
        parts.append(f"<h2>While loading your file</h2><ul class=load-notes>{items}</ul>")
    shown = exercises(item, total, context.config.feedback_inputs)
    to_fix = [e for e in shown if e.problems]
    parts.append(f"<h2>{escape(fix_heading(item, shown))}</h2>")
    parts += [_exercise_html(e) for e in to_fix]
    noted = [e for e in shown if e.notes and not e.problems]
    if noted:
        parts.append("<h2>Notes</h2><p>These do not cost points.</p>")
        parts += [_exercise_html(e) for e in noted]
    parts += ["<h2>Every exercise</h2>", _table_html(shown), "</body></html>"]
    return _seed_hidden("\n".join(parts) + "\n", context)


def _exercise_html(exercise: ExerciseFeedback) -> str:
    status = STATUS_WORDS.get(exercise.status, exercise.status)
    lines = [
        f'<section class="exercise" id="{escape(exercise.id)}" data-status="{exercise.status}">'
        f"<h3><code>{escape(exercise.id)}</code>: {escape(status)} "
        f"({exercise.points:g} / {exercise.max_points:g})</h3>"
    ]
    for role, items in (("problem", exercise.problems), ("note", exercise.notes)):
        if items:
            lines.append("<ul>" + "".join(_item_html(i, role) for i in items) + "</ul>")
    if exercise.hints:
        hints = "".join(f"<li>{escape(safe_text(h))}</li>" for h in exercise.hints)
        lines.append(
            f'<p>Hints to try next:</p><ol class="hints">{hints}</ol><p class="meta">More: '
            f"<code>tensorlings hint {escape(exercise.id)}</code></p>"
        )
    if exercise.output and exercise.problems:
        lines.append(
            "<details><summary>What your code printed</summary>"
            f"<pre>{escape(exercise.output)}</pre></details>"
        )
    lines.append("</section>")
    return "\n".join(lines)


def _item_html(item: Shown, role: str) -> str:
    line = f" (line {item.line})" if item.line is not None else ""
    call = f"<br><code>{escape(item.call)}</code>" if item.call else ""
    return (
        f'<li class="{role}" data-kind="{escape(item.kind)}"><b>{escape(item.kind)}</b>{line}: '
        f"{escape(item.message)}{call}</li>"
    )


def _table_html(shown: Sequence[ExerciseFeedback]) -> str:
    rows = "".join(
        f'<tr data-exercise="{escape(e.id)}"><td><code>{escape(e.id)}</code></td>'
        f"<td>{escape(STATUS_WORDS.get(e.status, e.status))}</td>"
        f"<td class=n>{e.points:g} / {e.max_points:g}</td></tr>"
        for e in shown
    )
    return f"<table><tr><th>Exercise</th><th>Status</th><th>Points</th></tr>{rows}</table>"


# --- Markdown -----------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def md_text(text: str) -> str:
    """Prose for Markdown: every character Markdown (or HTML in it) reads, backslash-escaped,
    on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(safe_text(text).split()))


def md_code(text: str) -> str:
    """An inline code span that no backtick in the text can end early."""
    text = " ".join(safe_text(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def md_block(text: str) -> str:
    """A fenced block that no line of the text can close."""
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}text\n{safe_text(text)}\n{fence}"


def feedback_markdown(item: Graded, total: Score, context: ClassContext) -> str:
    parts = [f"# Feedback for {md_text(item.submission)}", ""]
    parts += [md_text(line) + "  " for line in headline(item, total)]
    notes = load_notes(item)
    if notes:
        parts += ["", "## While loading your file", ""] + [f"- {md_text(n)}" for n in notes]
    shown = exercises(item, total, context.config.feedback_inputs)
    to_fix = [e for e in shown if e.problems]
    parts += ["", f"## {fix_heading(item, shown)}"]
    for exercise in to_fix:
        parts += _exercise_markdown(exercise)
    noted = [e for e in shown if e.notes and not e.problems]
    if noted:
        parts += ["", "## Notes", "", "These do not cost points."]
        for exercise in noted:
            parts += _exercise_markdown(exercise)
    parts += ["", "## Every exercise", "", "| exercise | status | points |", "| --- | --- | --- |"]
    parts += [
        f"| {md_text(e.id)} | {md_text(STATUS_WORDS.get(e.status, e.status))} | "
        f"{e.points:g} / {e.max_points:g} |"
        for e in shown
    ]
    return _seed_hidden("\n".join(parts) + "\n", context)


def _exercise_markdown(exercise: ExerciseFeedback) -> list[str]:
    status = STATUS_WORDS.get(exercise.status, exercise.status)
    lines = ["", f"### {md_text(exercise.id)}: {status} ({exercise.points:g} / "
             f"{exercise.max_points:g})", ""]  # fmt: skip
    for item in (*exercise.problems, *exercise.notes):
        line = f" \\(line {item.line}\\)" if item.line is not None else ""
        call = f" — {md_code(item.call)}" if item.call else ""
        lines.append(f"- **{md_text(item.kind)}**{line}: {md_text(item.message)}{call}")
    if exercise.hints:
        lines += ["", "Hints to try next:", ""]
        lines += [f"{n}. {md_text(h)}" for n, h in enumerate(exercise.hints, 1)]
        lines += ["", f"More: {md_code('tensorlings hint ' + exercise.id)}"]
    if exercise.output and exercise.problems:
        lines += ["", "What your code printed:", "", md_block(exercise.output)]
    return lines
