"""The efficiency coach: advice for correct but slow or memory-hungry solutions, never a failure,
and never for the reference solutions themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tensorlings.checker.coach import ROUNDS, coached

pytestmark = pytest.mark.slow

SLOW_SOLUTIONS = """
def sample_distribution(probs, n):
    # The sheet's hint taken literally: an n x k comparison matrix.
    c = t.cumsum(probs, 0)
    u = t.rand(n, 1) * c[-1]
    return (u >= c).sum(1).clamp(max=len(probs) - 1)

def batched_softmax(matrix):
    out = t.empty_like(matrix)
    for i in range(matrix.shape[0]):
        row = matrix[i] - matrix[i].max()
        out[i] = row.exp() / row.exp().sum()
    return out
"""


def advice(result):
    return {p.kind: p for p in result.problems if not p.fails}


@pytest.fixture(scope="module")
def slow_results(check_source):
    """One check of the slow solutions, read by the test of each (the same check twice took
    about 5 s more)."""
    return check_source("coach_slow", SLOW_SOLUTIONS)


def test_comparison_matrix_sampling_passes_with_slow_and_memory_advice(slow_results):
    sampling = slow_results["sample_distribution"]
    assert sampling.status == "passed"
    kinds = advice(sampling)
    assert {"slow", "memory_hungry"} <= kinds.keys()
    assert "searchsorted" in kinds["slow"].message


def test_row_by_row_softmax_passes_with_slow_advice_confirmed_by_every_round(slow_results):
    softmax = slow_results["batched_softmax"]
    assert softmax.status == "passed"
    assert f"the median of {ROUNDS} rounds" in advice(softmax)["slow"].message


def test_reference_solutions_get_no_advice(reference_workbook_report):
    coached_results = [r for r in reference_workbook_report.exercises if coached_exercise(r.id)]
    assert coached_results, "the coach covers some exercises"
    for result in coached_results:
        assert result.status == "passed"
        assert advice(result) == {}, f"{result.id}: {result.problems}"


def coached_exercise(exercise_id: str) -> bool:
    from tensorlings import catalogue

    return coached(catalogue.get(exercise_id))


# The reference's own work done twice: about 2x slower, far below the coach's ratio.
TWICE_THE_WORK = """
def batched_softmax(matrix):
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp_()
    first = exps / exps.sum(dim=-1, keepdim=True)
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp_()
    return exps / exps.sum(dim=-1, keepdim=True) + 0 * first
"""


# Row by row, and every element through Python for the row's maximum: tens of times slower
# than the reference on the coach's (2048, 256) input.
PYTHON_LOOP = """
def batched_softmax(matrix):
    out = t.empty_like(matrix)
    for i, row in enumerate(matrix.tolist()):
        top = row[0] if row else 0.0
        for x in row:
            top = max(top, x)
        exps = (matrix[i] - top).exp()
        out[i] = exps / exps.sum()
    return out
"""


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Every core kept busy by spinning processes for the length of the test."""
    spin = [sys.executable, "-c", "while True: pass"]
    burners = [subprocess.Popen(spin) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def test_twice_slower_code_gets_no_timing_advice_on_a_busy_machine(check_source, busy_machine):
    for run in range(3):
        softmax = check_source(f"coach_twice_{run}", TWICE_THE_WORK)["batched_softmax"]
        assert softmax.status == "passed"
        assert "slow" not in advice(softmax), advice(softmax)["slow"].message


def test_far_slower_code_gets_confirmed_timing_advice_on_a_busy_machine_too(
    check_source, busy_machine
):
    softmax = check_source("coach_python_loop_busy", PYTHON_LOOP)["batched_softmax"]
    assert softmax.status == "passed", softmax.problems
    assert f"the median of {ROUNDS} rounds" in advice(softmax)["slow"].message
