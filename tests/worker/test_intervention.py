"""The intervention that decides whether a required call changes the result."""

from __future__ import annotations

import torch

from tensorlings.worker import intervention
from tensorlings.worker.intervention import CHANGED, UNCHANGED, decide, perturbed, same


def test_every_entry_of_a_perturbed_tensor_moves():
    for value in (torch.randn(5), torch.arange(5), torch.tensor([True, False])):
        changed, ok = perturbed(value)
        assert ok and changed.dtype == value.dtype and changed.shape == value.shape
        assert (changed != value).all()


def test_an_empty_result_cannot_be_perturbed():
    assert perturbed(torch.empty(0, 3))[1] is False
    assert perturbed(3.0)[1] is False


def test_rounding_from_adding_and_subtracting_the_changed_value_is_not_a_change():
    answer, r = torch.randn(100), torch.randn(100)
    moved, _ = perturbed(r)
    assert same(answer + moved - moved, answer + r - r) is True
    assert same(answer + moved, answer + r) is False


def test_a_raised_run_differs_from_a_returned_value():
    assert same(intervention.RAISED, torch.zeros(2)) is False
    assert same([torch.zeros(2), 1.0], [torch.zeros(2), 1.0]) is True
    assert same(object(), object()) is None


def _runs(outcome):
    """A rerun whose perturbed run returns `outcome` and made one change."""

    def rerun(perturb):
        return (outcome, 1) if perturb else (torch.ones(3), 0)

    return rerun


def test_decide_says_changed_or_unchanged_and_stops_once_decided():
    decisive: dict[str, int] = {}
    required = (("abs", "absolute"),)
    assert decide(_runs(torch.zeros(3)), required, torch.ones(3), decisive) == {CHANGED + "abs": 1}
    assert decide(_runs(torch.ones(3)), required, torch.ones(3), decisive) == {UNCHANGED + "abs": 1}
    decisive["abs"] = intervention.DECISIVE_RUNS
    assert decide(_runs(torch.zeros(3)), required, torch.ones(3), decisive) == {}


def test_a_function_that_answers_differently_each_time_is_left_to_the_marks():
    answers = iter([torch.zeros(3), torch.ones(3)])

    def rerun(perturb):
        return next(answers), 1

    assert decide(rerun, (("abs",),), torch.full((3,), 2.0), {}) == {}


def test_a_run_where_nothing_could_be_changed_decides_nothing():
    def rerun(perturb):
        return torch.ones(3), 0

    assert decide(rerun, (("abs",),), torch.ones(3), {}) == {}
