"""Every generic message is said within the exercise's rules: across both built-in packs, advice
never suggests a call the exercise forbids (squeeze, reshape, clone... where `only` leaves them
out), and says what to try instead."""

from __future__ import annotations

import re

import pytest
import torch

from tensorlings import catalogue, packs
from tensorlings.checker import dtype_errors, mistakes
from tensorlings.checker.exercise_judges import edge_case
from tensorlings.checker.judge import mutation_problems
from tensorlings.checker.probes import plan
from tensorlings.checker.results import Problem
from tensorlings.exercise import Call, Exercise, Family, Rules
from tensorlings.judges import Compare
from tensorlings.messages.replies import CallResult

EXERCISES = [
    e
    for e in (*catalogue.sheet().exercises, *packs.load("from_scratch").exercises)
    if isinstance(e.judge, Compare)
]
# Calls the checker's generic advice may name (the words are torch's, never plain English).
ADVISED = ("squeeze", "reshape", "rearrange", "einsum", "clone", "zeros_like", "new_tensor",
           "arange", "to")  # fmt: skip
_CALLED = re.compile(r"\b(?:torch\.|[a-z]\.)?([a-z_]+)(?:\(|\b)")


def _named_calls(text: str) -> set[str]:
    """Calls the text suggests: `squeeze(-1)`, `x.clone()`, `reshape (or rearrange)`, `.to(`."""
    words = {m.group(1) for m in _CALLED.finditer(text)}
    named = {w for w in words if w in ADVISED and w != "to"}
    return named | ({"to"} if ".to(" in text else set())


def _advice(exercise: Exercise) -> list[str]:
    """What the generic recognisers, the mutation check, the notes and the dtype explanation
    would say on this exercise's first example."""
    probe = next(p for p in plan(exercise, 0) if isinstance(p.expected, torch.Tensor))
    expected = probe.expected
    wrong = [expected.unsqueeze(0), expected.reshape(-1) + 0, expected + 1]
    if expected.dim() >= 1 and 1 in expected.shape:
        wrong.append(expected.squeeze())
    if expected.dim() == 2 and expected.shape[0] != expected.shape[1]:
        wrong.append(expected.T)
    said = [found.explain for w in wrong if (found := mistakes.generic(exercise, probe, w))]
    said += [p.message for p in mutation_problems(exercise, probe, CallResult("ok", mutated=(0,)))]
    note = edge_case(Problem("wrong_dtype", "x"), Family.OTHER_DTYPES, exercise.rules)
    said.append(note.message)
    said.append(dtype_errors.advice("same dtype, but got: float != long int", exercise.rules))
    return said


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_generic_advice_never_suggests_a_forbidden_call(exercise: Exercise) -> None:
    for text in _advice(exercise):
        for name in _named_calls(text):
            assert exercise.rules.allows(name), f"{exercise.id}: {name!r} suggested in {text!r}"


def test_advice_falls_back_to_words_without_the_forbidden_call() -> None:
    rules = Rules(only=("arange", "where", "*"))
    assert rules.within((("squeeze",), "squeeze(-1)"), ((), "index it away")) == "index it away"
    assert Rules().within((("squeeze",), "squeeze(-1)"), ((), "index it away")) == "squeeze(-1)"
    forbidding = Rules(forbidden=(Call("clone", ("clone",)),))
    assert not forbidding.allows("clone") and forbidding.allows("squeeze")


def test_a_dtype_mismatch_is_explained_within_the_rules() -> None:
    message = "expected m1 and m2 to have the same dtype, but got: float != long int"
    assert dtype_errors.mismatch(message) == ("torch.float32", "torch.int64")
    assert ".to(x.dtype)" in dtype_errors.advice(message, Rules())
    only = dtype_errors.advice(message, Rules(only=("arange", "@")))
    assert ".to(" not in only and "torch.arange(n, dtype=x.dtype)" in only
    assert dtype_errors.advice("mat1 and mat2 shapes cannot be multiplied", Rules()) == ""


def _overwriting_case() -> tuple[Exercise, list, list]:  # type: ignore[type-arg]
    """Two probes of a from_scratch exercise answered with one fixed, varied tensor."""
    exercise = next(e for e in EXERCISES if e.id == "cumsum")
    probes = [p for p in plan(exercise, 0) if p.family is Family.RANDOM][:2]
    shape = probes[0].expected.shape
    probes = [p for p in plan(exercise, 0) if p.expected.shape == shape][:2]
    answer = (torch.arange(probes[0].expected.numel()) * 7 + 3).reshape(shape)
    answer = answer.to(probes[0].expected.dtype)
    outcomes = [mistakes.Outcome(value=answer) for _ in probes]
    return exercise, probes, outcomes


def test_an_answer_that_overwrote_its_input_is_not_said_to_ignore_it() -> None:
    exercise, probes, outcomes = _overwriting_case()
    wrong = [Problem("wrong_values", "x", call="c")]
    plain = mistakes.name(exercise, [(p, list(wrong)) for p in probes], outcomes, wrong)
    assert plain[0].mistake == "an answer that ignores the input"
    mutated = [Problem("mutates_input", "changed its input"), *wrong]
    named = mistakes.name(exercise, [(p, list(mutated)) for p in probes], outcomes, mutated)
    assert all(p.mistake != "an answer that ignores the input" for p in named)


def test_a_dtype_mismatch_on_an_empty_input_is_not_blamed_on_the_size() -> None:
    note = edge_case(
        Problem("exception", "f(x=tensor([])) raised RuntimeError: expected scalar type Float "
                "but found Long. This line mixes ..."),
        Family.EMPTY,
        Rules(),
    )  # fmt: skip
    assert "size of 0" not in note.message and "mixes" in note.message
