"""Checks and case drawing shared by the per-section exercise tests.

Imported as `from exercise_helpers import ...`: tests/exercises has no __init__.py, so pytest's
default (prepend) import mode puts this folder on sys.path.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch
from hypothesis import strategies as st

from tensorlings.exercise import Draw, Exercise, OutputPolicy

# What an exercise declares when it says nothing about its output (s06's four all do).
DEFAULT_OUTPUT = OutputPolicy()

CaseCheck = Callable[[Draw, tuple[Any, ...], Any], None]


def assert_all_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """The sheet's own check: same shape, allclose with rtol=1e-5 and atol=1e-4."""
    assert actual.shape == expected.shape
    assert torch.allclose(actual, expected, rtol=1e-5, atol=1e-4)


def assert_all_equal(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """The sheet's own check: same shape and equal values, dtype not compared."""
    assert actual.shape == expected.shape
    assert (actual == expected).all()


def assert_identical(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """Stricter than the sheet: same shape, same dtype and exactly equal values."""
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    assert torch.equal(actual, expected)


def assert_matches(
    actual: torch.Tensor, expected: torch.Tensor, output: OutputPolicy = DEFAULT_OUTPUT
) -> None:
    """Same shape and dtype, values within the output policy's tolerances (nan equals nan)."""
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    torch.testing.assert_close(actual, expected, rtol=output.rtol, atol=output.atol, equal_nan=True)


def assert_section_lists(section: ModuleType, ids: list[str]) -> None:
    """The section lists exactly these exercises, in order, each with its reference defined in
    the section module under the exercise's id."""
    assert [ex.id for ex in section.EXERCISES] == ids
    assert all(ex.section == section.SECTION for ex in section.EXERCISES)
    assert all(ex.solution is getattr(section, ex.id) for ex in section.EXERCISES)


def draw_case(data: st.DataObject, ex: Exercise) -> Draw:
    """A Draw with a size per named dimension, a dtype and a seed, all drawn by hypothesis."""
    assert ex.cases is not None
    sizes = {
        name: data.draw(st.integers(lo, hi), label=name)
        for name, (lo, hi) in ex.cases.sizes.items()
    }
    dtype = data.draw(st.sampled_from(ex.cases.dtypes), label="dtype")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    return Draw(torch.Generator().manual_seed(seed), sizes, dtype)


def smallest_draws(ex: Exercise) -> list[Draw]:
    """One Draw per declared dtype with every named size at its minimum."""
    assert ex.cases is not None
    sizes = {name: lo for name, (lo, _) in ex.cases.sizes.items()}
    return [Draw(torch.Generator().manual_seed(0), sizes, dtype) for dtype in ex.cases.dtypes]


def run_case(ex: Exercise, d: Draw, check: CaseCheck) -> None:
    """Make the case for this draw, run the reference on it and check inputs and output."""
    assert ex.cases is not None
    args = ex.cases.make(d)
    check(d, args, ex.solution(*args))
