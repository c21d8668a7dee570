"""What a check in a notebook returns: frozen results that render themselves in a front end.

A short repr (`<tensorlings: column_means passed>`), HTML for Jupyter and VS Code, plain
text elsewhere, and `to_json()` equal to the entry `tensorlings check --json` gives.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tensorlings.checker.results import (
    CheckJSON,
    CheckReport,
    ExerciseJSON,
    ExerciseResult,
    LoadNote,
    Problem,
)
from tensorlings.vocab import Status

MIME = "application/vnd.tensorlings.check+json"


def _text(results: Sequence[ExerciseResult], notes: Sequence[str]) -> str:
    from rich.console import Console

    from tensorlings.views.console import exercise_block

    out = io.StringIO()
    # As wide as the terminal the text goes to (COLUMNS, else 80): grids and messages fit it.
    width = shutil.get_terminal_size((80, 24)).columns
    console = Console(file=out, no_color=True, highlight=False, width=width)
    for result in results:
        exercise_block(console, result)
    for note in notes:
        console.print(note)
    return out.getvalue().rstrip("\n")


@dataclass(frozen=True)
class NotebookResult:
    """One exercise checked from a notebook."""

    result: ExerciseResult
    isolation: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.result.id

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.result.problems

    @property
    def passed(self) -> bool:
        return self.result.status == Status.PASSED

    def to_json(self) -> ExerciseJSON:
        return self.result.to_json()

    def __repr__(self) -> str:
        return f"<tensorlings: {self.id} {self.status.replace('_', ' ')}>"

    def __str__(self) -> str:
        return _text([self.result], [])

    def _repr_html_(self) -> str:
        from tensorlings.views.notebook_html import results_html

        return results_html([self.result], self.isolation, [])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {MIME: {"exercises": [self.to_json()], "isolation": dict(self.isolation)}}


@dataclass(frozen=True)
class NotebookReport:
    """Several exercises checked at once (`tensorlings.check()`), or one (then `results[0]`)."""

    report: CheckReport
    skipped: tuple[str, ...] = ()  # exercises whose source could not be recovered, and why

    @classmethod
    def joined(cls, reports: Sequence[CheckReport], order: Sequence[str]) -> NotebookReport:
        from dataclasses import replace

        by_id = {r.id: r for report in reports for r in report.exercises}
        first = reports[0]
        notes: tuple[LoadNote, ...] = tuple(n for report in reports for n in report.load_notes)
        exercises = tuple(by_id[i] for i in order if i in by_id)
        error = next((r.error for r in reports if r.error is not None), None)
        return cls(replace(first, exercises=exercises, load_notes=notes, error=error))

    @property
    def results(self) -> tuple[NotebookResult, ...]:
        return tuple(NotebookResult(r, self.report.isolation) for r in self.report.exercises)

    def to_json(self) -> CheckJSON:
        """The whole report as `tensorlings check --json` writes it."""
        return self.report.to_json()

    def _notes(self) -> list[str]:
        notes = list(self.skipped)
        if self.report.error is not None:
            notes.insert(0, f"could not be checked: {self.report.error.message}")
        return notes

    def __repr__(self) -> str:
        counts = self.report.summary()
        return (
            f"<tensorlings: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['not_started']} not started>"
        )

    def __str__(self) -> str:
        return _text(self.report.exercises, self._notes())

    def _repr_html_(self) -> str:
        from tensorlings.views.notebook_html import results_html

        return results_html(self.report.exercises, self.report.isolation, self._notes())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {MIME: self.to_json()}
