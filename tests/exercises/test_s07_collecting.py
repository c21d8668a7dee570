import pytest
import torch
from exercise_helpers import assert_identical
from hypothesis import given
from hypothesis import strategies as st

from tensorlings.exercise import Draw, Rules
from tensorlings.exercises import s07_collecting as section
from tensorlings.exercises.s07_collecting import collect_columns, collect_rows

EXERCISES = section.EXERCISES


@st.composite
def matrix_and_indexes(draw, axis: int) -> tuple[torch.Tensor, torch.Tensor]:
    m, n, k = draw(st.integers(1, 7)), draw(st.integers(1, 7)), draw(st.integers(0, 6))
    rng = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        matrix = torch.randn(m, n, generator=rng)
    else:
        matrix = torch.randint(-50, 50, (m, n), generator=rng)
    indexes = torch.randint(0, (m, n)[axis], (k,), generator=rng)
    return matrix, indexes


def test_collect_rows_matches_the_sheet():
    matrix = torch.arange(15).view((5, 3))
    actual = collect_rows(matrix, torch.tensor([0, 2, 1, 0]))
    assert_identical(actual, torch.tensor([[0, 1, 2], [6, 7, 8], [3, 4, 5], [0, 1, 2]]))


def test_collect_columns_matches_the_sheet():
    matrix = torch.arange(15).view((5, 3))
    actual = collect_columns(matrix, torch.tensor([0, 2, 1, 0]))
    expected = torch.tensor(
        [[0, 2, 1, 0], [3, 5, 4, 3], [6, 8, 7, 6], [9, 11, 10, 9], [12, 14, 13, 12]]
    )
    assert_identical(actual, expected)


@given(matrix_and_indexes(axis=0))
def test_collect_rows_matches_index_select(case):
    matrix, indexes = case
    assert_identical(collect_rows(matrix, indexes), torch.index_select(matrix, 0, indexes))


@given(matrix_and_indexes(axis=1))
def test_collect_columns_matches_index_select(case):
    matrix, indexes = case
    assert_identical(collect_columns(matrix, indexes), torch.index_select(matrix, 1, indexes))


def test_empty_index_gives_empty_result():
    matrix = torch.arange(6.0).view(2, 3)
    empty = torch.zeros(0, dtype=torch.int64)
    assert collect_rows(matrix, empty).shape == (0, 3)
    assert collect_columns(matrix, empty).shape == (2, 0)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_random_cases_have_declared_sizes_and_reference_runs(ex):
    cases = ex.cases
    assert cases.dtypes == (torch.float32, torch.int64)
    corners = [
        {name: lo for name, (lo, _) in cases.sizes.items()},
        {name: hi for name, (_, hi) in cases.sizes.items()},
        {"m": 1, "n": 7, "k": 6},
        {"m": 7, "n": 1, "k": 6},
    ]
    for dtype in cases.dtypes:
        for seed, sizes in enumerate(corners):
            matrix, indexes = cases.make(Draw(torch.Generator().manual_seed(seed), sizes, dtype))
            m, n, k = sizes["m"], sizes["n"], sizes["k"]
            assert matrix.shape == (m, n) and matrix.dtype == dtype
            assert indexes.shape == (k,) and indexes.dtype == torch.int64
            bound = m if ex.id == "collect_rows" else n
            assert k == 0 or (indexes.min() >= 0 and indexes.max() < bound)
            out = ex.solution(matrix, indexes)
            assert out.shape == ((k, n) if ex.id == "collect_rows" else (m, k))
            assert out.dtype == dtype


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_output_is_exact_and_there_are_no_rules(ex):
    assert (ex.output.rtol, ex.output.atol) == (0.0, 0.0)
    assert ex.rules == Rules()
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.rstrip().endswith("?") for hint in ex.hints)
