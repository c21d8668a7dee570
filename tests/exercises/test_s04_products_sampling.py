"""Section 4 (products, identity, sampling, accuracy): references against the sheet and torch."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from exercise_helpers import (
    assert_all_equal,
    assert_section_lists,
    draw_case,
    run_case,
    smallest_draws,
)
from hypothesis import given
from hypothesis import strategies as st

from tensorlings.exercise import Draw, Exercise
from tensorlings.exercises import s04_products_sampling
from tensorlings.exercises.s04_products_sampling import (
    EXERCISES,
    batched_dot_product_nd,
    classifier_accuracy,
    identity_matrix,
    sample_distribution,
)

BY_ID = {ex.id: ex for ex in EXERCISES}
SHEET_PROBS = torch.tensor([0.05, 0.1, 0.1, 0.2, 0.15, 0.4])


def frequencies(samples: torch.Tensor, k: int) -> torch.Tensor:
    return torch.bincount(samples, minlength=k) / samples.numel()


def float32_probs_with_total(below_one: bool) -> torch.Tensor:
    """A normalised float32 probability vector whose float32 cumsum ends below (or above) 1."""
    rng = torch.Generator().manual_seed(0)
    for _ in range(1000):
        weights = torch.rand(5, generator=rng)
        probs = weights / weights.sum()
        total = torch.cumsum(probs, 0)[-1].item()
        if (total < 1.0) if below_one else (total > 1.0):
            return probs
    raise AssertionError("no such vector among the first 1000 draws")


def test_section_exports_solutions_named_by_id() -> None:
    assert_section_lists(
        s04_products_sampling,
        [
            "batched_dot_product_nd",
            "identity_matrix",
            "sample_distribution",
            "classifier_accuracy",
        ],
    )


def test_sampling_example_frequencies_match_within_the_sheet_tolerance() -> None:
    (example,) = BY_ID["sample_distribution"].examples
    probs, n = example.args
    torch.manual_seed(0)
    freqs = frequencies(sample_distribution(probs, n), probs.numel())
    torch.testing.assert_close(freqs, example.expected, rtol=1e-3, atol=1e-3)


def test_sheet_asserts_pass() -> None:
    actual = batched_dot_product_nd(
        torch.tensor([[1, 1, 0], [0, 0, 1]]), torch.tensor([[1, 1, 0], [1, 1, 0]])
    )
    assert_all_equal(actual, torch.tensor([2, 0]))
    cube = torch.arange(12).reshape((3, 2, 2))
    assert_all_equal(batched_dot_product_nd(cube, cube), torch.tensor([14, 126, 366]))
    assert_all_equal(identity_matrix(3), torch.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    assert_all_equal(identity_matrix(0), torch.zeros((0, 0)))
    scores = torch.tensor([[0.75, 0.5, 0.25], [0.1, 0.5, 0.4], [0.1, 0.7, 0.2]])
    assert classifier_accuracy(scores, torch.tensor([0, 1, 0])) == 2.0 / 3.0


@given(
    batch=st.integers(0, 5),
    tail=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.integers(-15, 15),
)
def test_batched_dot_matches_multiply_then_sum_for_floats(
    batch: int, tail: list[int], seed: int, log_scale: int
) -> None:
    rng = torch.Generator().manual_seed(seed)
    a, b = (torch.randn(batch, *tail, generator=rng) * 10.0**log_scale for _ in range(2))
    actual = batched_dot_product_nd(a, b)
    products = (a * b).flatten(1)
    assert actual.shape == (batch,) and actual.dtype == torch.float32
    # Summation order differs, so the error is bounded by the sum of |products|, not the result.
    bound = 1e-5 * products.abs().sum(1) + 1e-30
    assert ((actual - products.sum(1)).abs() <= bound).all()


@given(
    batch=st.integers(0, 5),
    tail=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    magnitude=st.sampled_from([1, 6, 2**20]),
)
def test_batched_dot_matches_multiply_then_sum_exactly_for_integers(
    batch: int, tail: list[int], seed: int, magnitude: int
) -> None:
    rng = torch.Generator().manual_seed(seed)
    a, b = (torch.randint(-magnitude, magnitude, (batch, *tail), generator=rng) for _ in range(2))
    actual = batched_dot_product_nd(a, b)
    torch.testing.assert_close(actual, (a * b).flatten(1).sum(1), rtol=0, atol=0)


@given(n=st.integers(0, 64))
def test_identity_matches_torch_eye(n: int) -> None:
    torch.testing.assert_close(identity_matrix(n), torch.eye(n, dtype=torch.int64), rtol=0, atol=0)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@given(data=st.data())
def test_random_cases_have_declared_sizes_and_the_reference_runs(
    ex: Exercise, data: st.DataObject
) -> None:
    run_case(ex, draw_case(data, ex), check_case_and_output[ex.id])


def _check_dot(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    shape = (d.sizes["batch"],) + (d.sizes["size"],) * d.sizes["extra_dims"]
    assert all(x.shape == shape and x.dtype == d.dtype for x in args)
    assert out.shape == (d.sizes["batch"],) and out.dtype == d.dtype


def _check_identity(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    assert args == (d.sizes["n"],)
    assert out.shape == (d.sizes["n"],) * 2


def _check_distribution(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    probs, n = args
    assert probs.shape == (d.sizes["k"],) and probs.dtype == torch.float32
    assert (probs >= 0).all() and (probs > 0).any()
    assert abs(probs.sum().item() - 1.0) < 1e-3  # the sheet's own precondition
    assert n == d.sizes["n"]
    assert out.shape == (n,) and out.dtype == torch.int64
    assert (probs[out] > 0).all()


def _check_accuracy(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    scores, true_classes = args
    assert scores.shape == (d.sizes["batch"], d.sizes["classes"])
    assert true_classes.shape == (d.sizes["batch"],)
    assert ((true_classes >= 0) & (true_classes < d.sizes["classes"])).all()
    assert out.shape == () and out.is_floating_point() and 0 <= out.item() <= 1


check_case_and_output = {
    "batched_dot_product_nd": _check_dot,
    "identity_matrix": _check_identity,
    "sample_distribution": _check_distribution,
    "classifier_accuracy": _check_accuracy,
}


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_random_cases_work_at_the_smallest_sizes(ex: Exercise) -> None:
    for d in smallest_draws(ex):
        run_case(ex, d, check_case_and_output[ex.id])


@given(
    # Weights whose float32 total underflows to 0 describe no distribution at all.
    probs=st.lists(st.floats(0, 1), min_size=1, max_size=50).filter(lambda w: sum(w) > 1e-30),
    n=st.integers(0, 300),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_samples_are_in_range_int64_and_never_impossible_events(
    probs: list[float], n: int, dtype: torch.dtype
) -> None:
    weights = torch.tensor(probs, dtype=dtype)
    p = weights / weights.sum()
    samples = sample_distribution(p, n)
    assert samples.shape == (n,) and samples.dtype == torch.int64
    assert ((samples >= 0) & (samples < p.numel())).all()
    assert (p[samples] > 0).all()


def test_zero_samples_give_an_empty_int64_tensor() -> None:
    samples = sample_distribution(SHEET_PROBS, 0)
    assert samples.shape == (0,) and samples.dtype == torch.int64


def _fake_rand(value: float) -> Any:
    def rand(*size: Any, dtype: torch.dtype | None = None, **kwargs: Any) -> torch.Tensor:
        return torch.full(torch.Size(size), value, dtype=dtype or torch.float32, **kwargs)

    return rand


LARGEST_FLOAT32_BELOW_ONE = 1.0 - 2.0**-24


@pytest.mark.parametrize("below_one", [True, False], ids=["cumsum_below_1", "cumsum_above_1"])
@pytest.mark.parametrize("trailing_zero", [False, True], ids=["", "trailing_zero"])
def test_largest_possible_draw_gives_the_last_possible_event(
    monkeypatch: pytest.MonkeyPatch, below_one: bool, trailing_zero: bool
) -> None:
    probs = float32_probs_with_total(below_one)
    last = probs.numel() - 1
    if trailing_zero:
        probs = torch.cat([probs, probs.new_zeros(1)])
    assert probs.dtype == torch.float32
    monkeypatch.setattr(torch, "rand", _fake_rand(LARGEST_FLOAT32_BELOW_ONE))
    samples = sample_distribution(probs, 100)
    assert (samples == last).all()


def test_smallest_possible_draw_skips_leading_impossible_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(torch, "rand", _fake_rand(0.0))
    samples = sample_distribution(torch.tensor([0.0, 0.0, 0.3, 0.0, 0.7]), 10)
    assert (samples == 2).all()


def test_frequencies_are_close_to_probs() -> None:
    probs = torch.tensor([0.0, 0.3, 0.001, 0.0, 0.199, 0.5])
    n = 200_000
    with torch.random.fork_rng():
        torch.manual_seed(1234)
        freqs = frequencies(sample_distribution(probs, n), probs.numel())
    # Six standard deviations of a binomial frequency: a false alarm has odds below 1e-8.
    bound = 6 * torch.sqrt(probs * (1 - probs) / n)
    assert ((freqs - probs).abs() <= bound).all()
    assert (freqs[probs == 0] == 0).all()


@given(
    batch=st.integers(1, 30),
    classes=st.integers(1, 10),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.integers(-20, 20),
)
def test_accuracy_matches_a_python_loop(
    batch: int, classes: int, seed: int, log_scale: int
) -> None:
    rng = torch.Generator().manual_seed(seed)
    scores = torch.randn(batch, classes, generator=rng) * 10.0**log_scale
    true_classes = torch.randint(0, classes, (batch,), generator=rng)
    rows = scores.tolist()
    hits = sum(
        row.index(max(row)) == label for row, label in zip(rows, true_classes.tolist(), strict=True)
    )
    accuracy = classifier_accuracy(scores, true_classes)
    assert math.isclose(accuracy.item(), hits / batch, rel_tol=1e-6)
