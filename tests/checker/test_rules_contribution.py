"""call_problems: where a rerun could tell, it decides whether a required call did the work."""

from __future__ import annotations

from tensorlings import catalogue
from tensorlings.checker.rules import call_problems


def _missing(calls: dict[str, int]) -> list[str]:
    problems = call_problems(catalogue.get("relu_abs"), calls)
    return [p.message for p in problems if p.kind == "missing_call"]


def test_a_required_call_that_left_the_result_unchanged_is_missing_even_if_marked():
    messages = _missing({"abs": 1, "used:abs": 1, "unchanged:abs": 1})
    assert messages and "abs" in messages[0] and "never reaches" in messages[0]


def test_one_run_where_the_result_changed_is_enough():
    assert _missing({"abs": 2, "changed:abs": 1, "unchanged:abs": 1}) == []


def test_without_a_deciding_run_the_marks_decide():
    assert _missing({"abs": 1, "used:abs": 1}) == []
    assert _missing({"abs": 1})
