"""Section 7: picking whole rows and whole columns with an index tensor."""

from __future__ import annotations

import torch

from tensorlings.exercise import (
    Draw,
    Example,
    Exercise,
    Family,
    Mistake,
    OutputPolicy,
    RandomCases,
    SpecialInput,
)

SECTION = "Collecting rows and columns"

# Collecting copies values: nothing is computed, so the result must be exact.
_OUTPUT = OutputPolicy(rtol=0.0, atol=0.0)
_SIZES = {"m": (1, 7), "n": (1, 7), "k": (0, 6)}
_DTYPES = (torch.float32, torch.int64)
_SHEET_MATRIX = torch.arange(15).view(5, 3)
_SHEET_INDEXES = torch.tensor([0, 2, 1, 0])
# A square matrix with as many indexes as rows: picking rows for columns (or the transpose)
# then has the right shape and only its values tell it apart; random draws are square in
# some seeds only, so without it the failing kinds would change with the seed.
_SQUARE = (
    SpecialInput(
        Family.RANDOM,
        "a square matrix, as many indexes as rows",
        (torch.arange(9).view(3, 3), torch.tensor([2, 0, 0])),
    ),
)


def _matrix(d: Draw) -> torch.Tensor:
    if d.dtype.is_floating_point:
        return d.normal("m", "n")
    return d.integers(-50, 50, "m", "n").to(d.dtype)


def _rows_case(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return _matrix(d), d.integers(0, d.sizes["m"], "k")


def _columns_case(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return _matrix(d), d.integers(0, d.sizes["n"], "k")


def collect_rows(matrix: torch.Tensor, row_indexes: torch.Tensor) -> torch.Tensor:
    return matrix[row_indexes]


def collect_columns(matrix: torch.Tensor, column_indexes: torch.Tensor) -> torch.Tensor:
    return matrix[:, column_indexes]


EXERCISES = (
    Exercise(
        id="collect_rows",
        section=SECTION,
        title="Collect rows by index",
        prompt=(
            "matrix has shape (m, n); row_indexes is an int64 tensor of shape (k,) whose values "
            "lie in [0, m). Return the (k, n) tensor whose row i is matrix[row_indexes[i]], in "
            "matrix's dtype. Indexes may repeat and come in any order; beyond the sheet, k may "
            "be 0.\n\n"
            "For example, with matrix = arange(15).view(5, 3) and row_indexes = [0, 2, 1, 0], the "
            "result is rows 0, 2, 1 and 0 again, stacked."
        ),
        solution=collect_rows,
        hints=(
            "What does indexing a tensor with another tensor of integers do, as opposed to "
            "indexing with one integer?",
            "Can you do it in one indexing expression, with no loop and no torch.stack?",
        ),
        examples=(
            Example(
                (_SHEET_MATRIX, _SHEET_INDEXES),
                torch.tensor([[0, 1, 2], [6, 7, 8], [3, 4, 5], [0, 1, 2]]),
            ),
        ),
        cases=RandomCases(make=_rows_case, sizes=_SIZES, dtypes=_DTYPES),
        mistakes=(
            Mistake(
                "dropping repeated indexes",
                "unique() (or a set) keeps each index once, but a row asked for twice appears "
                "twice in the result: index with row_indexes as it is.",
                lambda matrix, row_indexes: matrix[row_indexes.unique()],
            ),
            Mistake(
                "collecting columns instead of rows",
                "matrix[:, indexes] picks columns. A row is picked by the first index: "
                "matrix[row_indexes].",
                lambda matrix, row_indexes: matrix[:, row_indexes],
            ),
            Mistake(
                "gathering along dim 1",
                "gather(1, index) picks within each row: out[i][j] = matrix[i][index[i][j]], so "
                "row i of the result is built from row i of matrix. Whole rows are picked along "
                "dim 0: matrix.gather(0, row_indexes[:, None].expand(-1, matrix.shape[1])), or "
                "simply matrix[row_indexes].",
                lambda matrix, row_indexes: matrix.gather(
                    1, row_indexes[:, None].expand(-1, matrix.shape[1])
                ),
            ),
        ),
        output=_OUTPUT,
        shapes={"matrix": "(m, n)", "row_indexes": "(k,)", "returns": "(k, n)"},
        special_inputs=_SQUARE,
    ),
    Exercise(
        id="collect_columns",
        section=SECTION,
        title="Collect columns by index",
        prompt=(
            "matrix has shape (m, n); column_indexes is an int64 tensor of shape (k,) whose "
            "values lie in [0, n). Return the (m, k) tensor whose column i is "
            "matrix[:, column_indexes[i]], in matrix's dtype. Indexes may repeat and come in any "
            "order; beyond the sheet, k may be 0.\n\n"
            "For example, with matrix = arange(15).view(5, 3) and column_indexes = [0, 2, 1, 0], "
            "each row of the result is [r0, r2, r1, r0], where r0, r1, r2 are that row's entries."
        ),
        solution=collect_columns,
        hints=(
            "How would you collect rows? What changes when the index applies to the second axis?",
            "Which placeholder in an indexing expression means 'keep this whole axis'?",
        ),
        examples=(
            Example(
                (_SHEET_MATRIX, _SHEET_INDEXES),
                torch.tensor(
                    [[0, 2, 1, 0], [3, 5, 4, 3], [6, 8, 7, 6], [9, 11, 10, 9], [12, 14, 13, 12]]
                ),
            ),
        ),
        cases=RandomCases(make=_columns_case, sizes=_SIZES, dtypes=_DTYPES),
        mistakes=(
            Mistake(
                "dropping repeated indexes",
                "unique() (or a set) keeps each index once, but a column asked for twice appears "
                "twice in the result: index with column_indexes as it is.",
                lambda matrix, column_indexes: matrix[:, column_indexes.unique()],
            ),
            Mistake(
                "collecting rows instead of columns",
                "matrix[indexes] picks rows. Columns are picked by the second index: "
                "matrix[:, column_indexes].",
                lambda matrix, column_indexes: matrix[column_indexes],
            ),
            Mistake(
                "gathering along dim 0",
                "gather(0, index) picks down each column: out[i][j] = matrix[index[i][j]][j], "
                "an entry of column j, not column index[j]. Whole columns are picked along dim "
                "1: matrix.gather(1, column_indexes.expand(matrix.shape[0], -1)), or simply "
                "matrix[:, column_indexes].",
                lambda matrix, column_indexes: matrix.gather(
                    0, column_indexes.expand(matrix.shape[0], -1)
                ),
            ),
        ),
        output=_OUTPUT,
        shapes={"matrix": "(m, n)", "column_indexes": "(k,)", "returns": "(m, k)"},
        special_inputs=_SQUARE,
    ),
)
