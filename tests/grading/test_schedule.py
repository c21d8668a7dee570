from __future__ import annotations

import math
from dataclasses import replace

from grading_helpers import exercise, report

from tensorlings.grading.model import Graded
from tensorlings.grading.schedule import expected_seconds, longest_first

LOOP_PY = b"def relu_where(x):\n    while True:\n        pass\n"
LOOP_CELL = b'{"cells": [{"source": ["def f(x):\\n", "    while x:\\n"]}]}'
PLAIN = b"def relu_where(x):\n    # stop while x is small\n    return x\n"


def earlier(*seconds: float) -> Graded:
    results = [exercise(f"e{i}", "passed") for i in range(len(seconds))]
    timed = [replace(r, duration_s=s) for r, s in zip(results, seconds, strict=True)]
    return Graded("ann", report("ann.py", *timed))


def test_a_while_loop_is_expected_to_run_to_the_time_limits() -> None:
    assert expected_seconds(LOOP_PY, None) == math.inf
    assert expected_seconds(LOOP_CELL, None) == math.inf
    assert expected_seconds(PLAIN, None) is None  # the word in a comment: no loop


def test_the_previous_version_s_checking_time_is_the_guess() -> None:
    assert expected_seconds(LOOP_PY, earlier(0.5, 0.25)) == 0.75


def test_the_longest_expected_is_checked_first_and_equal_guesses_keep_their_order() -> None:
    names = ["a", "b", "c", "d"]
    assert longest_first(names, {}) == names
    assert longest_first(names, {2: math.inf}) == ["c", "a", "b", "d"]
    assert longest_first(names, {1: 0.5, 2: math.inf}) == ["c", "a", "b", "d"]
    # No guess counts as the typical guess: between the long and the short ones.
    assert longest_first(names, {0: 0.1, 1: 2.0, 3: 9.0}) == ["d", "b", "c", "a"]
