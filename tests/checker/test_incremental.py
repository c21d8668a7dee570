"""Watch mode's re-checks: only what a save changed runs again."""

from __future__ import annotations

import pytest

from tensorlings.checker.incremental import IncrementalChecker
from tensorlings.checker.sandbox import Limits

pytestmark = pytest.mark.slow

HANGS = """
import torch as t

def relu_abs(x):
    while True:
        pass

def relu_where(x):
    return x
"""


def test_unchanged_functions_keep_their_verdict_and_changed_ones_are_rechecked(zygote, tmp_path):
    path = tmp_path / "workbook.py"
    path.write_text(HANGS, encoding="utf-8")
    checker = IncrementalChecker(zygote, limits=Limits(exercise_seconds=0.5), coach=False)
    first = {r.id: r for r in checker.check(path).exercises}
    assert first["relu_abs"].status == "failed" and first["relu_where"].status == "failed"

    # Fix relu_where below relu_abs: relu_abs keeps its (cached) timeout, relu_where passes.
    path.write_text(HANGS.replace("return x", "return t.where(x > 0, x, 0.0)"), encoding="utf-8")
    second = {r.id: r for r in checker.check(path).exercises}
    assert second["relu_abs"] is first["relu_abs"]
    assert second["relu_where"].status == "passed"
    assert second["relu_where"].duration_s < 0.5 * 4


def test_a_change_to_a_helper_rechecks_the_exercises_that_use_it(zygote, tmp_path):
    path = tmp_path / "workbook.py"
    source = (
        "import torch as t\n\ndef helper(x):\n    return x\n\n"
        "def relu_where(x):\n    return helper(x)\n\n"
        "def relu_abs(x):\n    return (x + x.abs()) / 2\n"
    )
    path.write_text(source, encoding="utf-8")
    checker = IncrementalChecker(zygote, coach=False)
    first = {r.id: r for r in checker.check(path).exercises}
    assert first["relu_where"].status == "failed"
    path.write_text(
        source.replace("    return x\n", "    return t.where(x > 0, x, 0.0)\n", 1), encoding="utf-8"
    )
    second = {r.id: r for r in checker.check(path).exercises}
    assert second["relu_where"].status == "passed"
    assert second["relu_abs"] is first["relu_abs"]  # does not use the helper
