"""Two floats a rounding step apart never read as the same number in a message."""

from __future__ import annotations

import torch

from tensorlings.checker.compare import compare_values
from tensorlings.exercise import OutputPolicy

EXACT = OutputPolicy(rtol=0.0, atol=0.0)


def test_numbers_equal_to_six_digits_are_shown_with_the_digits_that_differ() -> None:
    expected = torch.tensor([1.0]) / 3
    actual = torch.nextafter(expected, torch.tensor([2.0]))
    mismatch = compare_values(actual, expected, EXACT)
    assert mismatch is not None
    assert "expected 0.3333333432674408, got 0.33333337306976318" in mismatch.message
    assert "a rounding step apart" in mismatch.message


def test_numbers_that_differ_visibly_keep_six_digits() -> None:
    mismatch = compare_values(torch.tensor([1.5]), torch.tensor([1.25]), EXACT)
    assert mismatch is not None and mismatch.message == "wrong values: expected 1.25, got 1.5"
