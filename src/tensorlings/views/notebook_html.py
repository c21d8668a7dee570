"""Check results as HTML for Jupyter and VS Code: verdict, problems with their calls, pictures.

Self-contained (inline styles only: notebook front ends strip <style> blocks inconsistently),
and every string from learner code is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.picture import Grid, Picture, picture_of
from tensorlings.vocab import ProblemKind, Status

_COLOURS = {Status.PASSED: "#1a7f37", Status.FAILED: "#cf222e", Status.NOT_STARTED: "#6e7781"}
_MARKS = {Status.PASSED: "✓", Status.FAILED: "✗", Status.NOT_STARTED: "·"}
_BOX = "font-family:system-ui,sans-serif;font-size:13px;line-height:1.4;margin:4px 0"
_CELL = "border:1px solid #d0d7de;padding:1px 6px;text-align:right;font-family:monospace"
_MARKED = "background:#ffd7d5;color:#82071e;font-weight:bold;outline:2px solid #cf222e"


def _safe(text: str) -> str:
    return escape(text.encode("utf-8", "replace").decode("utf-8"))


def grid_html(grid: Grid) -> str:
    rows = []
    for r, row in enumerate(grid.rows):
        cells = []
        for c, text in enumerate(row):
            marked = (r, c) in grid.marked
            style = _CELL + (";" + _MARKED if marked else "")
            label = ' title="differs"' if marked else ""
            cells.append(f'<td style="{style}"{label}>{_safe(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = (
        f'<div style="color:#6e7781;font-size:11px">{_safe(grid.note)}</div>' if grid.note else ""
    )
    return (
        f'<div style="display:inline-block;vertical-align:top;margin-right:18px">'
        f'<div style="font-weight:bold">{_safe(grid.title)}</div>'
        f'<table style="border-collapse:collapse;margin:2px 0">{"".join(rows)}</table>{note}</div>'
    )


def picture_html(picture: Picture) -> str:
    grids = "".join(grid_html(grid) for grid in picture.grids)
    caption = f'<div style="color:#57606a;font-size:12px">{_safe(picture.caption)}</div>'
    # A picture wider than the output box scrolls inside it instead of spilling past it.
    style = "margin:6px 0 6px 18px;overflow-x:auto;max-width:100%"
    return f'<div class="tensorlings-picture" style="{style}">{grids}{caption}</div>'


def _problem_html(problem: Problem, strided: Any) -> str:
    if problem.fails:
        tag = f'<b style="color:#cf222e">{_safe(problem.kind)}</b>'
    else:
        word = "note" if problem.kind == ProblemKind.EDGE_CASE else "advice"
        tag = f'<b style="color:#9a6700">{word}</b>'
    call = (
        f'<div style="margin-left:18px"><code>{_safe(problem.call)}</code></div>'
        if problem.call
        else ""
    )
    pictures = (
        "".join(picture_html(p) for p in picture_of(problem, strided)) if problem.fails else ""
    )
    return f'<li style="margin:4px 0">{tag}: {_safe(problem.message)}{call}{pictures}</li>'


def result_html(result: ExerciseResult) -> str:
    colour = _COLOURS.get(result.status, "#6e7781")
    head = (
        f'<div style="font-size:14px"><span style="color:{colour};font-weight:bold">'
        f"{_MARKS.get(result.status, '')} {_safe(result.id)}</span> "
        f'<span style="color:#6e7781">({_safe(result.status.replace("_", " "))})</span></div>'
    )
    from tensorlings.views.console import strided_input

    strided = strided_input(result.id)
    items = "".join(_problem_html(p, strided) for p in result.problems)
    body = f'<ul style="margin:2px 0;padding-left:18px">{items}</ul>' if items else ""
    printed = ""
    if result.output and result.status == Status.FAILED:
        text = "\n".join(result.output.strip().splitlines()[:8])
        printed = (
            '<div style="color:#6e7781">your code printed:</div>'
            '<pre style="margin:2px 0 2px 18px;color:#57606a;overflow-x:auto;max-width:100%">'
            f"{_safe(text)}</pre>"
        )
    return (
        f'<div class="tensorlings-result" data-status="{result.status}">{head}{body}{printed}</div>'
    )


def isolation_html(isolation: Mapping[str, Any]) -> str:
    if not isolation:
        return ""
    if isolation.get("full"):
        words = "checked in the full sandbox"
    else:
        missing = ", ".join(str(m).split(":")[0] for m in isolation.get("missing", []))
        words = f"checked in an isolated process; sandbox layers missing here: {missing or 'some'}"
    return f'<div style="color:#6e7781;font-size:11px">{_safe(words)}</div>'


def results_html(
    results: Sequence[ExerciseResult], isolation: Mapping[str, Any], notes: Sequence[str]
) -> str:
    parts = [result_html(r) for r in results]
    parts += [f'<div style="color:#9a6700">{_safe(note)}</div>' for note in notes]
    parts.append(isolation_html(isolation))
    return f'<div class="tensorlings" style="{_BOX}">{"".join(parts)}</div>'
