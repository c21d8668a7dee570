import numpy as np
import torch as t

matrix = t.arange(15).view(5, 3)


def collect_rows(matrix: t.Tensor, row_indexes: t.Tensor) -> t.Tensor:
    return matrix[row_indexes, :]


def collect_columns(matrix: t.Tensor, column_indexes: t.Tensor) -> t.Tensor:
    return matrix.T[column_indexes].T


row_indexes = t.tensor([0, 2, 1, 0])
actual = collect_rows(matrix, row_indexes)
np.testing.assert_array_equal(actual.numpy(), matrix.numpy()[[0, 2, 1, 0]])
t.testing.assert_close(collect_columns(matrix, row_indexes), matrix[:, [0, 2, 1, 0]])
assert actual.shape == (4, 3), "wrong shape"
print("collect tests ok")
