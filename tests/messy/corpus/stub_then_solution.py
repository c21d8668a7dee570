import torch as t


def batched_softmax(matrix: t.Tensor) -> t.Tensor:
    """For each row of the matrix, compute softmax(row)."""
    pass


def batched_softmax(matrix: t.Tensor) -> t.Tensor:
    """For each row of the matrix, compute softmax(row)."""
    shifted = matrix - matrix.max(dim=-1, keepdim=True).values
    return shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)


def collect_rows(matrix: t.Tensor, row_indexes: t.Tensor) -> t.Tensor:
    """Return the 2D matrix whose rows are taken from the input matrix in order according to row_indexes."""
    assert row_indexes.max() < matrix.shape[0]
    raise NotImplementedError()


def collect_rows(matrix: t.Tensor, row_indexes: t.Tensor) -> t.Tensor:
    assert row_indexes.max() < matrix.shape[0]
    return matrix[row_indexes]
