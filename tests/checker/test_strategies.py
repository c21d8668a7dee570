"""The one registry from judge type to how it is judged (checker/strategies.py): every judge
finds its strategy there, and nothing else in tensorlings asks which kind of judge it holds."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from tensorlings.checker.strategies import (
    AskedQuestion,
    ComparedCalls,
    SampledDraws,
    StridedAnswer,
    strategy_for,
)
from tensorlings.errors import PackError
from tensorlings.exercise import Option, Question
from tensorlings.judges import Ask, Compare, Judge, Sampling, Strided

SRC = Path(__file__).resolve().parents[2] / "src" / "tensorlings"
JUDGE_TYPES = {"Judge", "Compare", "Sampling", "Strided", "Ask"}
QUESTION = Question("t.tensor([1, 2]).dtype", (Option("a", "int64", lambda v: True),), "ints")


@pytest.mark.parametrize(
    ("judge", "strategy"),
    [
        (Compare(), ComparedCalls),
        (Sampling(draws=()), SampledDraws),
        (Strided(input=torch.arange(4), target=torch.arange(2)), StridedAnswer),
        (Ask(QUESTION), AskedQuestion),
    ],
    ids=lambda value: type(value).__name__,
)
def test_each_judge_finds_its_own_strategy(judge: Judge, strategy: type) -> None:
    found = strategy_for(judge)
    assert type(found) is strategy
    assert found.judge is judge


def test_a_subclass_of_a_judge_is_judged_as_that_judge() -> None:
    @dataclass(frozen=True)
    class Stricter(Compare):
        pass

    assert type(strategy_for(Stricter(min_learner_asserts=2))) is ComparedCalls


def test_a_judge_the_registry_does_not_know_is_refused_with_the_known_ones() -> None:
    class Homemade(Judge):
        pass

    with pytest.raises(PackError, match=r"not a judge tensorlings knows: use one of Compare, "):
        strategy_for(Homemade())


def _kind_tests(tree: ast.AST) -> list[int]:
    """Lines that ask which judge they hold: isinstance(x, <judge type>) or `judge.kind`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
            named = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
            if named & JUDGE_TYPES:
                found.append(node.lineno)
        is_kind = isinstance(node, ast.Attribute) and node.attr == "kind"
        if is_kind and "judge" in ast.unparse(node.value):
            found.append(node.lineno)
    return found


def test_nothing_outside_the_registry_asks_which_kind_of_judge_it_holds() -> None:
    asking = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "strategies.py" and path.parent.name == "checker":
            continue
        lines = _kind_tests(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            asking[str(path.relative_to(SRC))] = lines
    assert asking == {}


def test_the_kind_test_finder_sees_both_spellings() -> None:
    code = "isinstance(exercise.judge, (Strided, Ask))\nif ex.judge.kind == 'x': pass\n"
    assert _kind_tests(ast.parse(code)) == [1, 2]
