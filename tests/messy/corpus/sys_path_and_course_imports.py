import os
import sys
from pathlib import Path

sys.path.append("..")
sys.path.insert(0, str(Path.cwd().parent))
os.chdir(Path(__file__).parent)

import torch as t
from torch import Tensor
from part0_prereqs.utils import display_array_as_img
import tests
import part0_prereqs.tests as course_tests

exercises_dir = Path(__file__).parent / "exercises"


def collect_rows(matrix: Tensor, row_indexes: Tensor) -> Tensor:
    """Return the 2D matrix whose rows are taken from the input matrix in order according to row_indexes."""
    assert row_indexes.max() < matrix.shape[0]
    return matrix[row_indexes]


def collect_columns(matrix: Tensor, column_indexes: Tensor) -> Tensor:
    """Return the 2D matrix whose columns are taken from the input matrix in order according to column_indexes."""
    assert column_indexes.max() < matrix.shape[1]
    return matrix[:, column_indexes]


tests.test_collect_rows(collect_rows)
course_tests.test_collect_columns(collect_columns)
