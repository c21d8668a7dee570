"""How a result's problems read in the reports: one block of text per exercise."""

from __future__ import annotations

from tensorlings.checker.results import ExerciseResult, Problem

NOT_STARTED = "not started: no solution written for this exercise yet"


def problem_line(problem: Problem) -> str:
    where = f" [{problem.call}]" if problem.call else ""
    line = f" (line {problem.line})" if problem.line is not None else ""
    return f"{problem.kind}{line}: {problem.message}{where}"


def result_text(result: ExerciseResult) -> str:
    """What went wrong (or the coach's advice), one problem per line."""
    if result.status == "not_started":
        return NOT_STARTED
    lines = [problem_line(p) for p in result.problems if p.fails]
    advice = [problem_line(p) for p in result.problems if not p.fails]
    if advice:
        lines += ["advice (does not fail the exercise):", *advice]
    return "\n".join(lines)
