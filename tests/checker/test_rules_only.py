"""`only` and `forbidden` judged on the recorded calls: whose they are, what the author
exempts, and one problem for one call."""

from __future__ import annotations

import torch

from tensorlings import rule_apis
from tensorlings.checker.rules import call_problems
from tensorlings.exercise import Call, Example, Exercise, Rules


def _exercise(rules: Rules) -> Exercise:
    return Exercise(
        id="bincount",
        section="s",
        title="t",
        prompt="p",
        solution=lambda a: a,
        hints=("h",),
        examples=(Example((torch.tensor([1]),), torch.tensor([1])),),
        rules=rules,
    )


ONLY = Rules(only=("arange", "+", "@"), forbidden=(Call("a matrix product", ("@", "matmul")),))


def test_a_call_both_forbidden_and_outside_only_is_one_problem() -> None:
    (problem,) = call_problems(_exercise(ONLY), {"matmul": 1})
    assert problem.details["calls"] == ["matmul"] and "forbids a matrix product" in problem.message


def test_inspection_like_calls_count_against_only_unless_exempted() -> None:
    calls = {"T": 1, "size": 2, "item": 1, "shape": 3, "__getitem__": 2, "int_tensor_index": 1}
    (problem,) = call_problems(_exercise(Rules(only=("arange",))), calls)
    assert problem.details["calls"] == ["T", "item", "size"]
    exempt = Rules(only=("arange",), exempt=rule_apis.INSPECTION_LIKE)
    assert call_problems(_exercise(exempt), calls) == []


def test_a_call_inside_another_exercise_counts_only_against_forbidden() -> None:
    calls = {"T": 1, "_in:cumsum:T": 1, "matmul": 1, "_in:cumsum:matmul": 1}
    rules = Rules(only=("arange",), forbidden=(Call("matmul", ("matmul",)),))
    (problem,) = call_problems(_exercise(rules), calls)
    assert problem.details["calls"] == ["matmul"]
    assert "inside cumsum(), another exercise's function" in problem.message


def test_the_learner_reads_the_authors_words_and_advice() -> None:
    rules = Rules(only=("arange",), only_label="arange and indexing", only_advice="Index it.")
    (problem,) = call_problems(_exercise(rules), {"sum": 1, "_at:sum#7#total": 1})
    assert problem.message == (
        "bincount may only call arange and indexing, but it also called sum (through total() "
        "at line 7). Index it."
    )
    assert problem.line == 7
