"""The from_scratch pack is sound: its references are right, obey their rules, and its known
mistakes are ones the checker can catch and name. All in-process and fast."""

from __future__ import annotations

import inspect
from collections import Counter

import pytest
import torch
from from_scratch_helpers import (
    BY_ID,
    EXERCISES,
    SECTION_MODULES,
    TORCH,
    assert_same_answer,
    recorded_calls,
    torch_answer,
)
from hypothesis import given
from hypothesis import strategies as st

from tensorlings import catalogue, workbook
from tensorlings.checker.probes import Probe, clone_args, plan
from tensorlings.checker.rules import call_problems
from tensorlings.checker.simulate import contract_problems
from tensorlings.exercise import Draw, Exercise, Family, Mistake
from tensorlings.packs import from_scratch

RANDOM_CASES_PER_EXERCISE = 20
MISTAKES = [(ex, mistake) for ex in EXERCISES for mistake in ex.mistakes]


def random_probes(ex: Exercise, count: int = RANDOM_CASES_PER_EXERCISE) -> list[Probe]:
    """At least `count` random contract probes, from as many seeds as it takes."""
    probes: list[Probe] = []
    seed = 0
    while sum(p.drawn is Family.RANDOM and p.family is Family.RANDOM for p in probes) < count:
        probes += plan(ex, seed)
        seed += 1
    return probes


def contract_probes(ex: Exercise) -> list[Probe]:
    return [p for p in plan(ex, 0) if ex.tiers.fails(p.family)]


def test_pack_declares_its_title_version_and_sections() -> None:
    assert from_scratch.TITLE.strip()
    assert from_scratch.VERSION == "1.0"
    assert [m.__name__.rsplit(".", 1)[1] for m in SECTION_MODULES] == list(from_scratch.SECTIONS)
    assert all(m.SECTION.strip() for m in SECTION_MODULES)
    assert len({m.SECTION for m in SECTION_MODULES}) == len(SECTION_MODULES)


def test_pack_has_at_least_fifteen_exercises_in_three_to_five_sections() -> None:
    assert len(EXERCISES) >= 15
    assert 3 <= len(SECTION_MODULES) <= 5
    assert all(len(m.EXERCISES) >= 3 for m in SECTION_MODULES)


def test_ids_are_unique_within_the_pack_and_against_the_sheet() -> None:
    repeated = [i for i, n in Counter(ex.id for ex in EXERCISES).items() if n > 1]
    assert repeated == []
    assert set(BY_ID) & set(catalogue.ids()) == set()


def test_every_exercise_names_the_torch_function_it_rebuilds() -> None:
    assert set(TORCH) == set(BY_ID)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_exercise_has_prompt_title_shapes_and_two_or_three_hints(ex: Exercise) -> None:
    assert ex.judge.kind == "function"
    assert ex.prompt.strip() and ex.title.strip()
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.strip().endswith(("?", ".", ")")) for hint in ex.hints)
    assert "returns" in ex.shapes
    assert ex.examples and ex.cases is not None
    assert 1 <= len(ex.mistakes) <= 3


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_is_a_module_level_function_named_by_its_id(ex: Exercise) -> None:
    module = next(m for m in SECTION_MODULES if ex in m.EXERCISES)
    assert ex.section == module.SECTION
    assert getattr(module, ex.id) is ex.solution
    assert inspect.getsourcefile(ex.solution) == module.__file__


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_every_random_size_range_is_declared_non_square(ex: Exercise) -> None:
    # Two axes drawn from the same range would often be equal; distinct ranges make axes
    # that are mixed up give a wrong shape or an error.
    assert ex.cases is not None
    ranges = list(ex.cases.sizes.values())
    assert len(set(ranges)) == len(ranges)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_examples_expect_what_torch_answers(ex: Exercise) -> None:
    for example in ex.examples:
        assert_same_answer(example.expected, torch_answer(ex, example.args), ex)
        assert_same_answer(ex.solution(*clone_args(example.args)), example.expected, ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_equals_torch_on_every_planned_probe(ex: Exercise) -> None:
    # Every family: the contract's random cases and what lies beyond (empty, other dtypes).
    probes = random_probes(ex)
    for probe in probes:
        assert_same_answer(probe.expected, torch_answer(ex, probe.args), ex)
    families = {p.family for p in probes}
    assert Family.RANDOM in families and Family.EXAMPLES in families


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@given(data=st.data())
def test_reference_equals_torch_at_any_declared_size_and_dtype(
    ex: Exercise, data: st.DataObject
) -> None:
    # Hypothesis draws one size per named dimension, anywhere in its range (0 included), and
    # any declared dtype, contract or beyond.
    assert ex.cases is not None
    sizes = {name: data.draw(st.integers(lo, hi), label=name) for name, (lo, hi) in
             ex.cases.sizes.items()}  # fmt: skip
    dtypes = (*ex.cases.dtypes, *ex.cases.other_dtypes)
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    args = ex.cases.make(Draw(torch.Generator().manual_seed(seed), sizes, dtype))
    assert_same_answer(ex.solution(*clone_args(args)), torch_answer(ex, args), ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_obeys_its_own_rules(ex: Exercise) -> None:
    calls = recorded_calls(ex.solution, plan(ex, 0))
    assert calls, "the recorder saw no calls at all: it would pass anything"
    assert call_problems(ex, calls) == []


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_calling_the_rebuilt_torch_function_breaks_the_rule(ex: Exercise) -> None:
    calls = recorded_calls(TORCH[ex.id], plan(ex, 0)[:3])
    problems = call_problems(ex, calls)
    assert [p.kind for p in problems] == ["forbidden_call"] * len(problems) != []
    forbidden = {name for rule in ex.rules.forbidden for name in rule.names}
    assert forbidden & set(calls), f"{sorted(calls)} names none of {sorted(forbidden)}"


@pytest.mark.parametrize(
    ("ex", "mistake"), MISTAKES, ids=[f"{ex.id}-{m.name}" for ex, m in MISTAKES]
)
def test_known_mistake_is_wrong_on_a_contract_probe_and_named_there(
    ex: Exercise, mistake: Mistake
) -> None:
    (problem,) = contract_problems(ex, mistake.run)
    assert problem.fails
    assert problem.mistake == mistake.name, f"named {problem.mistake!r}: {problem.message}"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_workbook_reference_source_runs_on_its_own(ex: Exercise) -> None:
    # The workbook copies a reference with its own module's helpers only: it must need nothing
    # else from the pack.
    namespace: dict[str, object] = {}
    exec(workbook.HEADER_IMPORTS + workbook.ReferenceSource().code(ex), namespace)
    copied = namespace[ex.id]
    assert callable(copied) and copied is not ex.solution
    for example in ex.examples:
        assert_same_answer(copied(*clone_args(example.args)), example.expected, ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_generated_stub_defines_the_function_and_does_nothing(ex: Exercise) -> None:
    namespace: dict[str, object] = {}
    exec(workbook.HEADER_IMPORTS + workbook.stub(ex), namespace)
    stub = namespace[ex.id]
    assert callable(stub)
    assert stub(*clone_args(ex.examples[0].args)) is None


def test_the_whole_reference_workbook_runs_and_answers_every_example() -> None:
    namespace: dict[str, object] = {}
    for cell in workbook.reference_cells(EXERCISES):
        if cell.kind == "code":
            exec(cell.text, namespace)
    for ex in EXERCISES:
        copied = namespace[ex.id]
        assert callable(copied)
        for example in ex.examples:
            assert_same_answer(copied(*clone_args(example.args)), example.expected, ex)
