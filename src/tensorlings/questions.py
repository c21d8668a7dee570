"""Predict-the-output questions: the right answer comes from running the snippet on this torch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the judges ask this module for answers: it imports no course type
    from tensorlings.exercise import Question


def run_snippet(snippet: str) -> Any:
    """Run the snippet with `t` bound to torch; its last line's value, or the exception raised."""
    import ast

    import torch

    tree = ast.parse(snippet)
    *body, last = tree.body
    namespace: dict[str, Any] = {"t": torch, "torch": torch}
    try:
        exec(compile(ast.Module(body=body, type_ignores=[]), "<snippet>", "exec"), namespace)
        if isinstance(last, ast.Expr):
            return eval(compile(ast.Expression(last.value), "<snippet>", "eval"), namespace)
        exec(compile(ast.Module(body=[last], type_ignores=[]), "<snippet>", "exec"), namespace)
        return None
    except Exception as error:  # the outcome to predict may be an exception
        return error


def correct_letter(question: Question) -> str:
    """The one option that describes what the snippet does on the installed torch."""
    outcome = run_snippet(question.snippet)
    matching = [opt.letter for opt in question.options if opt.matches(outcome)]
    if len(matching) != 1:
        raise RuntimeError(
            f"question snippet {question.snippet!r} matched options {matching} on this torch; "
            "exactly one must match: the options need updating for this torch version"
        )
    return matching[0]


def question_solution(question: Question) -> Callable[[], str]:
    """A reference solution that answers the question by running its snippet."""

    def solution() -> str:
        return correct_letter(question)

    return solution
