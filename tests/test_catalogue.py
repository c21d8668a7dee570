"""Rules every exercise in the catalogue obeys, whatever its section (rustlings' `dev check`)."""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import torch

from tensorlings import catalogue, solutions, workbook
from tensorlings.checker import static
from tensorlings.errors import UnknownExercise
from tensorlings.exercise import Draw, DtypePolicy, Exercise, OutputPolicy

EXERCISES = catalogue.exercises()
# Question references are closures named `solution`; every other one is a named function.
NAMED_REFERENCES = [ex for ex in EXERCISES if ex.judge.kind != "question"]
WITH_CASES = [ex for ex in EXERCISES if ex.cases is not None]
INTEGER_DTYPES = {torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64}
FLOATING_DTYPES = {torch.float16, torch.bfloat16, torch.float32, torch.float64}
# The dtypes each policy lets an output have, spelled out rather than derived from the checker's
# own rule, so a mistake there cannot hide one here.
ALLOWED_DTYPES = {
    DtypePolicy.INTEGER: INTEGER_DTYPES,
    DtypePolicy.FLOATING: FLOATING_DTYPES,
    DtypePolicy.ANY_NUMERIC: {torch.bool} | INTEGER_DTYPES | FLOATING_DTYPES,
}


def call_reference(ex: Exercise, *args: Any) -> Any:
    """The reference's answer, drawing any randomness from a fixed seed without disturbing
    torch's global generator for other tests."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return ex.solution(*args)


def dtype_allowed(actual: torch.dtype, expected: torch.dtype, policy: DtypePolicy) -> bool:
    return actual == expected if policy is DtypePolicy.SAME else actual in ALLOWED_DTYPES[policy]


def assert_meets_output_policy(actual: Any, expected: torch.Tensor, output: OutputPolicy) -> None:
    assert isinstance(actual, torch.Tensor), f"the reference returned {type(actual).__name__}"
    assert actual.shape == expected.shape
    assert dtype_allowed(actual.dtype, expected.dtype, output.dtype), (
        f"{actual.dtype=} is not allowed by {output.dtype} against {expected.dtype=}"
    )
    # The dtype is judged by the policy above; values are compared after promotion.
    torch.testing.assert_close(
        actual, expected, rtol=output.rtol, atol=output.atol, check_dtype=False
    )


def check_function_examples(ex: Exercise) -> None:
    assert ex.examples
    for example in ex.examples:
        actual = call_reference(ex, *example.args)
        assert_meets_output_policy(actual, example.expected, ex.output)


def check_sampling_examples(ex: Exercise) -> None:
    # The sheet's expected frequencies need a statistical tolerance: test_s04 checks them.
    assert ex.examples
    for example in ex.examples:
        probs, n = example.args
        samples = call_reference(ex, probs, n)
        assert isinstance(samples, torch.Tensor)
        assert samples.shape == (n,)
        assert dtype_allowed(samples.dtype, torch.int64, ex.output.dtype)
        assert (probs[samples] > 0).all()
        assert example.expected.shape == probs.shape


def check_strided_example(ex: Exercise) -> None:
    assert ex.judge.input is not None
    (example,) = ex.examples
    assert example.args == ()
    size, stride = call_reference(ex)
    actual = ex.judge.input.as_strided(size, stride)
    assert actual.shape == example.expected.shape
    assert actual.dtype == example.expected.dtype
    assert torch.equal(actual, example.expected)


def check_question_answer(ex: Exercise) -> None:
    assert ex.judge.question is not None
    assert ex.examples == ()
    assert call_reference(ex) in [option.letter for option in ex.judge.question.options]


CHECK_BY_JUDGE: dict[str, Callable[[Exercise], None]] = {
    "function": check_function_examples,
    "sampling": check_sampling_examples,
    "strided": check_strided_example,
    "question": check_question_answer,
}


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_answers_every_example_under_its_output_policy(ex: Exercise) -> None:
    CHECK_BY_JUDGE[ex.judge.kind](ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_prompt_title_and_two_or_three_hints_are_present(ex: Exercise) -> None:
    assert ex.prompt.strip()
    assert ex.title.strip()
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.strip() for hint in ex.hints)


def test_ids_are_unique() -> None:
    repeated = [i for i, count in Counter(catalogue.ids()).items() if count > 1]
    assert repeated == []


@pytest.mark.parametrize("ex", NAMED_REFERENCES, ids=lambda ex: ex.id)
def test_reference_is_a_module_level_function_named_by_its_id(ex: Exercise) -> None:
    assert ex.solution.__name__ == ex.id
    assert ex.solution.__qualname__ == ex.id
    module = sys.modules[ex.solution.__module__]
    assert getattr(module, ex.id) is ex.solution
    assert any(listed is ex for listed in module.EXERCISES)


def test_unknown_id_with_a_near_miss_suggests_the_close_id() -> None:
    with pytest.raises(UnknownExercise, match="Did you mean batched_softmax") as raised:
        catalogue.get("batched_softmx")
    assert "'batched_softmx'" in str(raised.value)


def test_unknown_id_with_no_near_miss_suggests_nothing() -> None:
    with pytest.raises(UnknownExercise) as raised:
        catalogue.get("zzz_not_an_exercise")
    assert "Did you mean" not in str(raised.value)


def test_solutions_module_exports_every_reference_by_id() -> None:
    from tensorlings.solutions import batched_softmax

    assert batched_softmax is catalogue.get("batched_softmax").solution
    for ex in EXERCISES:
        assert ex.id in solutions.__all__
        assert getattr(solutions, ex.id) is ex.solution


@pytest.mark.parametrize("ex", WITH_CASES, ids=lambda ex: ex.id)
def test_random_cases_run_at_the_smallest_and_largest_declared_sizes(ex: Exercise) -> None:
    assert ex.cases is not None
    smallest = {name: lo for name, (lo, _) in ex.cases.sizes.items()}
    largest = {name: hi for name, (_, hi) in ex.cases.sizes.items()}
    for dtype in ex.cases.dtypes:
        for sizes in (smallest, largest):
            args = ex.cases.make(Draw(torch.Generator().manual_seed(0), sizes, dtype))
            assert isinstance(args, tuple)
            assert isinstance(call_reference(ex, *args), torch.Tensor), (sizes, dtype)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_generated_stub_parses_and_is_a_stub_for_its_own_function(ex: Exercise) -> None:
    (function,) = ast.parse(workbook.stub(ex)).body
    assert isinstance(function, ast.FunctionDef)
    assert function.name == ex.id
    assert static.is_stub(function, ex.starter)
