import torch as t
from torch import Tensor


def collect_columns(matrix: Tensor, column_indexes: Tensor) -> Tensor:
    """Return the 2D matrix whose columns are taken from the input matrix in order according to column_indexes."""
    assert column_indexes.max() < matrix.shape[1]
    return matrix[:, column_indexes]


def batched_cross_entropy_loss(logits: Tensor, true_labels: Tensor) -> Tensor:
    """Compute the cross entropy loss for each example in the batch."""
    assert logits.ndim == 2, "logits should be (batch, n)"
    assert true_labels.max() < logits.shape[1], "label out of range"
    assert true_labels.dtype == t.int64
    shifted = logits - logits.max(dim=1, keepdim=True).values
    logprobs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -logprobs[range(logits.shape[0]), true_labels]


def gather_2d(matrix: Tensor, indexes: Tensor) -> Tensor:
    assert indexes.shape[0] == matrix.shape[0]
    assert indexes.max() < matrix.shape[1] if indexes.numel() else True
    assert indexes.min() >= 0 if indexes.numel() else True
    out = matrix.gather(1, indexes)
    assert out.shape == indexes.shape
    return out
