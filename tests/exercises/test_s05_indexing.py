"""Section 5 (indexing and gather): references against the sheet and against plain loops."""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
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
from tensorlings.exercises import s05_indexing
from tensorlings.exercises.s05_indexing import (
    EXERCISES,
    GATHER_2D_STARTER,
    gather_2d,
    integer_array_indexing,
    total_price_gather,
    total_price_indexing,
)

BY_ID = {ex.id: ex for ex in EXERCISES}
SHEET_PRICES = torch.tensor([0.5, 1, 1.5, 2, 2.5])
SHEET_ITEMS = torch.tensor([0, 0, 1, 1, 4, 3, 2])
SHEET_MATRIX = torch.arange(15).view(3, 5)


def test_section_exports_solutions_named_by_id() -> None:
    assert_section_lists(
        s05_indexing,
        [
            "total_price_indexing",
            "gather_2d",
            "total_price_gather",
            "integer_array_indexing",
        ],
    )


def test_sheet_asserts_pass() -> None:
    assert total_price_indexing(SHEET_PRICES, SHEET_ITEMS) == 9.0
    assert total_price_gather(SHEET_PRICES, SHEET_ITEMS) == 9.0
    assert_all_equal(
        gather_2d(SHEET_MATRIX, torch.tensor([[4], [3], [2]])), torch.tensor([[4], [8], [12]])
    )
    assert_all_equal(
        gather_2d(SHEET_MATRIX, torch.tensor([[2, 4], [1, 3], [0, 2]])),
        torch.tensor([[2, 4], [6, 8], [10, 12]]),
    )
    coords_2d = torch.tensor([[0, 1], [0, 4], [1, 4]])
    assert_all_equal(integer_array_indexing(SHEET_MATRIX, coords_2d), torch.tensor([1, 4, 9]))
    mat_3d = torch.arange(2 * 3 * 4).view((2, 3, 4))
    coords_3d = torch.tensor([[0, 0, 0], [0, 1, 1], [0, 2, 2], [1, 0, 3], [1, 2, 0]])
    assert_all_equal(integer_array_indexing(mat_3d, coords_3d), torch.tensor([0, 5, 10, 15, 20]))


@given(
    k=st.integers(1, 10),
    n=st.integers(0, 30),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.integers(-30, 30),
)
def test_total_prices_match_a_python_sum(k: int, n: int, seed: int, log_scale: int) -> None:
    rng = torch.Generator().manual_seed(seed)
    prices = torch.rand(k, generator=rng) * 10.0**log_scale
    items = torch.randint(0, k, (n,), generator=rng)
    by_indexing = total_price_indexing(prices, items)
    expected = sum(prices.double()[i].item() for i in items.tolist())
    assert by_indexing.shape == ()
    assert by_indexing.item() == pytest.approx(expected, rel=1e-5, abs=0.0)
    # The same values summed in the same order: the two ways agree exactly.
    assert total_price_gather(prices, items).item() == by_indexing.item()


@given(
    m=st.integers(0, 6),
    n=st.integers(1, 7),
    k=st.integers(0, 5),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.integers(-30, 30),
)
def test_gather_2d_matches_a_python_loop(m: int, n: int, k: int, seed: int, log_scale: int) -> None:
    rng = torch.Generator().manual_seed(seed)
    matrix = torch.randn(m, n, generator=rng) * 10.0**log_scale
    indexes = torch.randint(0, n, (m, k), generator=rng)
    expected = torch.tensor(
        [[matrix[i, indexes[i, j]].item() for j in range(k)] for i in range(m)]
    ).reshape(m, k)
    torch.testing.assert_close(gather_2d(matrix, indexes), expected, rtol=0, atol=0)


@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    batch=st.integers(0, 8),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.integers(-30, 30),
)
def test_integer_array_indexing_matches_a_python_loop(
    shape: list[int], batch: int, seed: int, log_scale: int
) -> None:
    rng = torch.Generator().manual_seed(seed)
    matrix = torch.randn(shape, generator=rng) * 10.0**log_scale
    coords = torch.stack([torch.randint(0, size, (batch,), generator=rng) for size in shape], 1)
    expected = torch.tensor([matrix[tuple(c)].item() for c in coords.tolist()])
    actual = integer_array_indexing(matrix, coords)
    torch.testing.assert_close(actual, expected.reshape(batch), rtol=0, atol=0)


def test_integer_array_indexing_reaches_every_entry_in_order() -> None:
    matrix = torch.arange(2 * 3 * 4).view(2, 3, 4)
    coords = torch.tensor(list(itertools.product(range(2), range(3), range(4))))
    assert_all_equal(integer_array_indexing(matrix, coords), matrix.flatten())


def test_gather_2d_reference_writes_at_least_the_required_asserts() -> None:
    tree = ast.parse(textwrap.dedent(inspect.getsource(gather_2d)))
    asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert len(asserts) >= BY_ID["gather_2d"].judge.min_learner_asserts == 3


@pytest.mark.parametrize(
    "matrix, indexes",
    [
        (torch.zeros(3, 5), torch.tensor([[5], [0], [0]])),  # column 5 does not exist
        (torch.zeros(3, 5), torch.tensor([[-1], [0], [0]])),  # negative index
        (torch.zeros(3, 5), torch.tensor([[0], [0]])),  # too few rows of indexes
        (torch.zeros(15), torch.tensor([0, 1])),  # not 2-D
    ],
    ids=["too_large", "negative", "row_mismatch", "one_dimensional"],
)
def test_gather_2d_asserts_catch_invalid_arguments(
    matrix: torch.Tensor, indexes: torch.Tensor
) -> None:
    with pytest.raises(AssertionError):
        gather_2d(matrix, indexes)


def test_gather_2d_starter_body_computes_the_reference() -> None:
    source = "def starter(matrix, indexes):\n" + textwrap.indent(GATHER_2D_STARTER, "    ")
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    for example in BY_ID["gather_2d"].examples:
        assert_all_equal(namespace["starter"](*example.args), example.expected)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@given(data=st.data())
def test_random_cases_have_declared_sizes_and_the_reference_runs(
    ex: Exercise, data: st.DataObject
) -> None:
    run_case(ex, draw_case(data, ex), check_case_and_output[ex.id])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_random_cases_work_at_the_smallest_sizes(ex: Exercise) -> None:
    for d in smallest_draws(ex):
        run_case(ex, d, check_case_and_output[ex.id])


def _check_purchases(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    prices, items = args
    assert prices.shape == (d.sizes["k"],) and prices.is_floating_point()
    assert items.shape == (d.sizes["n"],) and items.dtype == torch.int64
    assert ((items >= 0) & (items < d.sizes["k"])).all()
    assert out.shape == ()


def _check_gather_2d(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    matrix, indexes = args
    assert matrix.shape == (d.sizes["m"], d.sizes["n"]) and matrix.dtype == d.dtype
    assert indexes.shape == (d.sizes["m"], d.sizes["k"])
    assert out.shape == indexes.shape and out.dtype == d.dtype


def _check_coords(d: Draw, args: tuple[Any, ...], out: torch.Tensor) -> None:
    matrix, coords = args
    assert matrix.shape == (d.sizes["size"],) * d.sizes["ndim"]
    assert coords.shape == (d.sizes["batch"], d.sizes["ndim"]) and coords.dtype == torch.int64
    assert ((coords >= 0) & (coords < d.sizes["size"])).all()
    assert out.shape == (d.sizes["batch"],) and out.dtype == matrix.dtype


check_case_and_output = {
    "total_price_indexing": _check_purchases,
    "gather_2d": _check_gather_2d,
    "total_price_gather": _check_purchases,
    "integer_array_indexing": _check_coords,
}
