"""How a result's problems read in the reports: one block of text per exercise."""

from __future__ import annotations

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.safe_text import safe_text
from tensorlings.vocab import Status

NOT_STARTED = "not started: no solution written for this exercise yet"


def problem_line(problem: Problem) -> str:
    where = f" [{problem.call}]" if problem.call else ""
    line = f" (line {problem.line})" if problem.line is not None else ""
    return safe_text(f"{problem.kind}{line}: {problem.message}{where}")


def failure_text(result: ExerciseResult) -> str:
    """What fails the exercise, one problem per line."""
    return "\n".join(problem_line(p) for p in result.problems if p.fails)


def notes_text(result: ExerciseResult, cost: float = 0.0) -> str:
    """The notes that do not fail it (edge cases, the coach's advice), under their own title."""
    notes = [problem_line(p) for p in result.problems if not p.fails]
    if not notes:
        return ""
    title = (
        f"notes (passed, but these cost {cost:g} points):"
        if cost
        else "notes (do not fail the exercise):"
    )
    return "\n".join([title, *notes])


def result_text(result: ExerciseResult, cost: float = 0.0) -> str:
    """What went wrong, then the notes apart, one problem per line."""
    if result.status == Status.NOT_STARTED:
        return NOT_STARTED
    return "\n".join(part for part in (failure_text(result), notes_text(result, cost)) if part)
