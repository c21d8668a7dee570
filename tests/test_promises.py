"""Every promise a prompt makes about inputs and outputs has probes, and every family of probes
that fails an exercise is promised in its prompt: a prompt and its probes never disagree."""

from __future__ import annotations

import re

import pytest
import torch

from tensorlings import catalogue
from tensorlings.checker.exercise_judges import _planned, probe_families
from tensorlings.exercise import DtypePolicy, Exercise, Family

JUDGED = [e for e in catalogue.exercises() if e.judge.kind in ("function", "sampling")]

# What a prompt says, and the family of probes that must test it.
PROMISES = {
    Family.EMPTY: re.compile(r"empty|may be 0|zero weeks|n = 0|batch of 0|k may be 0", re.I),
    Family.ZERO_DIM: re.compile(r"includ\w* 0-d", re.I),
    Family.INFINITE: re.compile(r"-inf|\+inf|infinite"),
    Family.UNNORMALISED: re.compile(r"up to rounding|within 0\.001", re.I),
}


def _has_infinite_input(exercise: Exercise) -> bool:
    return any(
        isinstance(a, torch.Tensor) and a.is_floating_point() and not bool(a.isfinite().all())
        for probe in _planned(exercise, 0)
        for a in probe.args
    )


@pytest.mark.parametrize("exercise", JUDGED, ids=lambda e: e.id)
def test_what_the_prompt_promises_is_probed(exercise: Exercise):
    families = probe_families(exercise)
    for family, words in PROMISES.items():
        if not words.search(exercise.prompt):
            continue
        if family is Family.INFINITE:
            assert _has_infinite_input(exercise), f"{exercise.id} promises inf rows: no probe"
        else:
            assert family in families, f"{exercise.id}'s prompt promises {family.value}"


@pytest.mark.parametrize("exercise", JUDGED, ids=lambda e: e.id)
def test_what_is_probed_beyond_the_random_cases_is_in_the_prompt(exercise: Exercise):
    for family in probe_families(exercise):
        words = PROMISES.get(family)
        if words is not None and family is not Family.INFINITE:
            assert words.search(exercise.prompt), (
                f"{exercise.id} has {family.value} probes that its prompt never mentions"
            )


@pytest.mark.parametrize("exercise", JUDGED, ids=lambda e: e.id)
def test_a_promise_beyond_the_sheet_says_so_in_the_prompt(exercise: Exercise):
    """`show` lists empty inputs, 0-d tensors... as beyond the sheet: the prompt must not state
    them as plain requirements."""
    families = probe_families(exercise)
    for family, words in PROMISES.items():
        if family is Family.INFINITE and _infinite_in_contract(exercise):
            continue
        beyond = family in families and not exercise.tiers.fails(family)
        if beyond and words.search(exercise.prompt):
            assert re.search(r"beyond\s+the\s+sheet", exercise.prompt, re.I), (
                f"{exercise.id}'s prompt states {family.value} but not that it is beyond the sheet"
            )


def _infinite_in_contract(exercise: Exercise) -> bool:
    return any(
        exercise.tiers.fails(probe.family)
        and any(
            isinstance(a, torch.Tensor) and a.is_floating_point() and not bool(a.isfinite().all())
            for a in probe.args
        )
        for probe in _planned(exercise, 0)
    )


@pytest.mark.parametrize("exercise", JUDGED, ids=lambda e: e.id)
def test_a_prompt_that_keeps_the_dtype_has_probes_of_another_dtype(exercise: Exercise):
    keeps = re.search(r"same (shape and )?dtype|in the \w+'s dtype|dtype of", exercise.prompt)
    if not keeps or exercise.output.dtype is not DtypePolicy.SAME:
        return
    dtypes = {  # the first argument is the one whose dtype the result keeps
        probe.args[0].dtype
        for probe in _planned(exercise, 0)
        if probe.args and isinstance(probe.args[0], torch.Tensor)
    }
    assert len(dtypes) >= 2, f"{exercise.id} promises the input's dtype but probes only {dtypes}"


@pytest.mark.parametrize("exercise", JUDGED, ids=lambda e: e.id)
def test_families_beyond_the_sheet_are_listed_apart(exercise: Exercise):
    contract, beyond = exercise.tiers.describe(probe_families(exercise))
    assert Family.EXAMPLES.words in contract
    assert not set(contract) & set(beyond)
