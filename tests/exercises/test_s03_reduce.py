"""Section 3 (weekly temperatures): references against the sheet and against torch built-ins."""

from __future__ import annotations

import warnings

import pytest
import torch
from exercise_helpers import assert_all_close, assert_section_lists, draw_case
from hypothesis import given
from hypothesis import strategies as st

from tensorlings.exercise import Draw, Exercise
from tensorlings.exercises import s03_reduce
from tensorlings.exercises.s03_reduce import (
    EXERCISES,
    temperatures_average,
    temperatures_differences,
    temperatures_normalized,
)

SHEET_TEMPS = torch.tensor(
    [71, 72, 70, 75, 71, 72, 70, 68, 65, 60, 68, 60, 55, 59, 75, 80, 85, 80, 78, 72, 83],
    dtype=torch.float32,
)
SOLUTIONS = (temperatures_average, temperatures_differences, temperatures_normalized)


def test_section_exports_three_exercises_with_solutions_named_by_id() -> None:
    assert_section_lists(s03_reduce, [f.__name__ for f in SOLUTIONS])


def test_sheet_asserts_pass() -> None:
    assert_all_close(temperatures_average(SHEET_TEMPS), torch.tensor([71.5714, 62.1429, 79.0]))
    differences = EXERCISES[1].examples[0].expected
    assert_all_close(temperatures_differences(SHEET_TEMPS), differences)
    normalized = EXERCISES[2].examples[0].expected
    assert_all_close(temperatures_normalized(SHEET_TEMPS), normalized)


def test_population_std_would_miss_the_sheet_value() -> None:
    weekly = SHEET_TEMPS.view(-1, 7)
    centered = weekly - weekly.mean(1, keepdim=True)
    population = centered / weekly.std(1, correction=0, keepdim=True)
    assert population[0, 0].item() == pytest.approx(-0.3592, abs=1e-4)
    assert temperatures_normalized(SHEET_TEMPS)[0].item() == pytest.approx(-0.3326, abs=1e-4)


def test_no_weeks_gives_empty_results_without_warnings() -> None:
    empty = torch.zeros(0, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert temperatures_average(empty).shape == (0,)
        assert temperatures_differences(empty).shape == (0,)
        assert temperatures_normalized(empty).shape == (0,)
    assert all(f(empty).dtype == torch.float64 for f in SOLUTIONS)


@pytest.mark.filterwarnings("ignore:std\\(\\)")  # torch's own std warns on zero weeks
@given(
    weeks=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.integers(-12, 12),
    offset=st.floats(-100, 100),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_weekly_statistics_match_torch_builtins(
    weeks: int, seed: int, log_scale: int, offset: float, dtype: torch.dtype
) -> None:
    scale = 10.0**log_scale
    noise = torch.randn(7 * weeks, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    temps = scale * (offset + noise)
    weekly = temps.view(-1, 7)
    mean = weekly.mean(1, keepdim=True)
    tol = {"rtol": 1e-4, "atol": 1e-4 * scale}
    torch.testing.assert_close(temperatures_average(temps), mean.flatten(), **tol)
    torch.testing.assert_close(temperatures_differences(temps), (weekly - mean).flatten(), **tol)
    expected = ((weekly - mean) / weekly.std(1, keepdim=True)).flatten()
    # Normalised values are about 1; float32 rounding of the offset is amplified by offset/noise.
    torch.testing.assert_close(temperatures_normalized(temps), expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@given(data=st.data())
def test_random_cases_have_declared_sizes_and_the_reference_runs(
    ex: Exercise, data: st.DataObject
) -> None:
    d = draw_case(data, ex)
    assert ex.cases is not None
    (temps,) = ex.cases.make(d)
    weeks = d.sizes["weeks"]
    assert temps.shape == (7 * weeks,)
    assert temps.dtype == d.dtype
    assert ((temps >= 40) & (temps <= 100)).all()
    out = ex.solution(temps)
    assert out.shape == ((weeks,) if ex.id == "temperatures_average" else (7 * weeks,))
    assert out.dtype == d.dtype
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_has_gradients_for_grad_args(ex: Exercise) -> None:
    assert ex.cases is not None and ex.cases.grad_args == (0,)
    d = Draw(torch.Generator().manual_seed(1), {"weeks": 2}, torch.float64)
    (temps,) = ex.cases.make(d)
    temps.requires_grad_(True)
    (ex.solution(temps) ** 2).sum().backward()
    assert temps.grad is not None and torch.isfinite(temps.grad).all()
