"""The efficiency coach: advice for correct but slow or memory-hungry solutions, never a failure,
and never for the reference solutions themselves."""

from __future__ import annotations

import pytest

from tensorlings import workbook
from tensorlings.checker.coach import coached

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


def test_comparison_matrix_sampling_passes_with_slow_and_memory_advice(check_source):
    results = check_source("coach_slow", SLOW_SOLUTIONS)
    sampling = results["sample_distribution"]
    assert sampling.status == "passed"
    kinds = advice(sampling)
    assert {"slow", "memory_hungry"} <= kinds.keys()
    assert "searchsorted" in kinds["slow"].message


def test_row_by_row_softmax_passes_with_slow_advice(check_source):
    results = check_source("coach_loop", SLOW_SOLUTIONS)
    softmax = results["batched_softmax"]
    assert softmax.status == "passed"
    assert "slow" in advice(softmax)


def test_reference_solutions_get_no_advice(workbook_dir, check_file):
    path = workbook_dir / "coach_reference.py"
    path.write_text(workbook.to_py(workbook.reference_cells()), encoding="utf-8")
    report = check_file(path)
    coached_results = [r for r in report.exercises if coached_exercise(r.id)]
    assert coached_results, "the coach covers some exercises"
    for result in coached_results:
        assert result.status == "passed"
        assert advice(result) == {}, f"{result.id}: {result.problems}"


def coached_exercise(exercise_id: str) -> bool:
    from tensorlings import catalogue

    return coached(catalogue.get(exercise_id))
