"""Inline SVG bar charts for the class report: plain markup, no script, readable offline.

Every bar row carries data-* attributes with its numbers, so tests (and scripts) can read the
chart back and compare it with the JSON results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from tensorlings.checker.results import PROBLEM_KINDS
from tensorlings.grading.reports.stats import ExerciseStats

STATUS_COLOURS = {
    "passed": "#2e7d32",
    "failed": "#c62828",
    "not_started": "#bdbdbd",
    "unchecked": "#6d4c41",
}
STATUS_WORDS = {
    "passed": "passed",
    "failed": "failed",
    "not_started": "not started",
    "unchecked": "could not be checked",
}
# One distinct colour per problem kind, in PROBLEM_KINDS order (none is a status colour).
_KIND_PALETTE = (
    "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
    "#6b6ecf", "#b5cf6b", "#d6616b", "#000000", "#9c9ede", "#e7ba52", "#a55194",
)  # fmt: skip

WIDTH = 960  # the least width of a chart; one with longer labels or notes is wider
LABEL_END = 215  # labels end here at least; bars start a little after
BAR_GAP = 10
BAR_WIDTH = 480
ROW = 22
BAR = 15
# Widths of 12 px text, generous so that no label is cut: the monospace labels' advance is
# 0.6 em; the notes' proportional font stays under 0.62 em a character on average.
_MONO_PX = 7.3
_TEXT_PX = 7.5


@dataclass(frozen=True)
class Layout:
    """Where a bar chart's labels end, its bars start, and how wide it is, fitted to its text
    (the page scales a wide chart down to its column, so text is never cut off)."""

    label_end: float
    width: float

    @property
    def bar_start(self) -> float:
        return self.label_end + BAR_GAP

    @property
    def note_start(self) -> float:
        return self.bar_start + BAR_WIDTH + 10


def fitted(labels: Sequence[str], notes: Sequence[str], legend: float = 0) -> Layout:
    label_end = max(LABEL_END, 8 + _MONO_PX * max(map(len, labels), default=0))
    notes_width = _TEXT_PX * max(map(len, notes), default=0)
    width = max(WIDTH, label_end + BAR_GAP + BAR_WIDTH + 20 + notes_width, legend)
    return Layout(round(label_end), round(width))


def kind_colour(kind: str) -> str:
    if kind in PROBLEM_KINDS:
        return _KIND_PALETTE[PROBLEM_KINDS.index(kind)]
    return "#757575"  # a kind this version does not know


@dataclass(frozen=True)
class Segment:
    value: float  # a fraction of BAR_WIDTH, 0..1
    colour: str
    title: str


def _svg(height: int, label: str, body: list[str], width: float = WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height}" '
        f'viewBox="0 0 {width:g} {height}" role="img" aria-label="{escape(label)}">'
        + "".join(body)
        + "</svg>"
    )


def _legend(entries: Sequence[tuple[str, str]], layout: Layout) -> tuple[list[str], int]:
    """Colour keys in rows above the bars, and the y where the bars may start."""
    parts, x, y = [], layout.bar_start, 6
    for colour, word in entries:
        step = 28 + _TEXT_PX * len(word)
        if x + step > layout.width and x > layout.bar_start:
            x, y = layout.bar_start, y + 20
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 10}" class="legend">{escape(word)}</text>')
        x += step
    return parts, y + 24


def _row(
    y: int, label: str, segments: Sequence[Segment], note: str, data: str, layout: Layout
) -> str:
    parts = [f"<g {data}>"]
    parts.append(
        f'<text x="{layout.label_end:g}" y="{y + BAR - 3}" class="label">{escape(label)}</text>'
    )
    parts.append(
        f'<rect x="{layout.bar_start:g}" y="{y}" width="{BAR_WIDTH}" height="{BAR}" class="track"/>'
    )
    x = float(layout.bar_start)
    for segment in segments:
        width = BAR_WIDTH * segment.value
        if width > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                f'fill="{segment.colour}"><title>{escape(segment.title)}</title></rect>'
            )
        x += width
    parts.append(f'<text x="{layout.note_start:g}" y="{y + BAR - 3}" class="note">')
    parts.append(f"{escape(note)}</text></g>")
    return "".join(parts)


def _attributes(**values: object) -> str:
    return " ".join(f'data-{key.replace("_", "-")}="{escape(str(v))}"' for key, v in values.items())


def pass_rate_chart(stats: Sequence[ExerciseStats]) -> str:
    """A bar per exercise: passed, failed, not started, could not be checked, of all submissions."""
    order = ("passed", "failed", "not_started", "unchecked")
    notes = [f"{s.passed}/{s.submissions} passed ({s.pass_rate:.0%})" for s in stats]
    layout = fitted([s.id for s in stats], notes)
    body, top = _legend([(STATUS_COLOURS[s], STATUS_WORDS[s]) for s in order], layout)
    for position, (s, note) in enumerate(zip(stats, notes, strict=True)):
        counts = {"passed": s.passed, "failed": s.failed, "not_started": s.not_started}
        counts["unchecked"] = s.unchecked
        total = max(s.submissions, 1)
        segments = [
            Segment(counts[k] / total, STATUS_COLOURS[k], f"{s.id}: {counts[k]} {STATUS_WORDS[k]}")
            for k in order
        ]
        data = _attributes(
            chart="pass-rate", exercise=s.id, passed=s.passed, failed=s.failed,
            not_started=s.not_started, unchecked=s.unchecked,
        )  # fmt: skip
        body.append(_row(top + position * ROW, s.id, segments, note, data, layout))
    return _svg(top + len(stats) * ROW + 4, "pass rate per exercise", body, layout.width)


def hardest_chart(hardest: Sequence[ExerciseStats]) -> str:
    """The exercises failed most often, as a share of those who tried them."""
    notes = [
        f"failed by {s.failed} of {s.attempted} who tried ({s.fail_share:.0%})" for s in hardest
    ]
    layout = fitted([s.id for s in hardest], notes)
    legend = [(STATUS_COLOURS["failed"], "failed, of the submissions that tried it")]
    body, top = _legend(legend, layout)
    for position, (s, note) in enumerate(zip(hardest, notes, strict=True)):
        title = f"{s.id}: failed by {s.failed} of {s.attempted} who tried"
        segments = [Segment(s.fail_share, STATUS_COLOURS["failed"], title)]
        data = _attributes(chart="hardest", exercise=s.id, failed=s.failed, attempted=s.attempted)
        body.append(_row(top + position * ROW, s.id, segments, note, data, layout))
    return _svg(top + len(hardest) * ROW + 4, "hardest exercises", body, layout.width)


def kinds_chart(stats: Sequence[ExerciseStats], shown: int = 3) -> str:
    """Per exercise, how many submissions failed it with each kind of problem."""
    with_problems = [s for s in stats if s.kinds]
    largest = max((sum(n for _, n in s.kinds) for s in with_problems), default=1)
    kinds_seen = sorted({kind for s in with_problems for kind, _ in s.kinds}, key=_kind_order)
    notes = [", ".join(f"{kind} ×{n}" for kind, n in s.kinds[:shown]) for s in with_problems]
    layout = fitted([s.id for s in with_problems], notes)
    body, top = _legend([(kind_colour(kind), kind) for kind in kinds_seen], layout)
    for position, (s, note) in enumerate(zip(with_problems, notes, strict=True)):
        segments = [
            Segment(n / largest, kind_colour(kind), f"{s.id}: {kind} in {n} submissions")
            for kind, n in s.kinds
        ]
        kinds = ";".join(f"{kind}={n}" for kind, n in s.kinds)
        data = _attributes(chart="kinds", exercise=s.id, kinds=kinds)
        body.append(_row(top + position * ROW, s.id, segments, note, data, layout))
    return _svg(top + len(with_problems) * ROW + 4, "most common problem kinds", body, layout.width)


def _kind_order(kind: str) -> tuple[int, str]:
    return (PROBLEM_KINDS.index(kind) if kind in PROBLEM_KINDS else len(PROBLEM_KINDS), kind)


def histogram(counts: Sequence[int], label: str) -> str:
    """Vertical bars: how many submissions passed 0, 1, 2, … exercises."""
    height, base, left = 180, 150, 40
    step = (WIDTH - left - 20) / max(len(counts), 1)
    tallest = max(counts, default=0) or 1
    body = []
    for passed, count in enumerate(counts):
        bar = (base - 20) * count / tallest
        x = left + passed * step
        body.append(
            f"<g {_attributes(chart='histogram', passed=passed, submissions=count)}>"
            f'<rect x="{x + 1:.1f}" y="{base - bar:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar:.1f}" fill="{STATUS_COLOURS["passed"]}">'
            f"<title>{count} submissions passed {passed}</title></rect>"
            f'<text x="{x + step / 2:.1f}" y="{base + 14}" class="tick">{passed}</text>'
            + (
                f'<text x="{x + step / 2:.1f}" y="{base - bar - 3:.1f}" class="tick">{count}</text>'
                if count
                else ""
            )
            + "</g>"
        )
    body.append(f'<text x="{left}" y="{height - 4}" class="legend">{escape(label)}</text>')
    return _svg(height, label, body)
