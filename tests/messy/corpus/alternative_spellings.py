"""Other correct spellings of the same answers, the way different learners write them."""
import torch
import torch as t
from torch import einsum


def temperatures_average(temps):
    return temps.view(-1, 7).mean(dim=1)


def temperatures_normalized(temps):
    weeks = temps.reshape(-1, 7)
    centred = weeks - weeks.mean(1, keepdim=True)
    return (centred / t.std(weeks, dim=1, correction=1, keepdim=True)).view(-1)


def batched_dot_product_nd(a, b):
    return einsum("b ..., b ... -> b", a, b)


def identity_matrix(n):
    return (t.arange(n * n) % (n + 1) == 0).view(n, n)


def sample_distribution(probs, n):
    cdf = t.cumsum(probs, dim=0)
    return t.searchsorted(cdf, t.rand(n), right=True).clamp(max=len(probs) - 1)


def classifier_accuracy(scores, true_classes):
    predictions = t.max(scores, dim=1).indices
    return (predictions == true_classes).sum() / float(len(true_classes))


def collect_rows(matrix, row_indexes):
    return t.index_select(matrix, 0, row_indexes)


def collect_columns(matrix, column_indexes):
    return matrix.index_select(1, column_indexes)


def integer_array_indexing(matrix, coords):
    flat = t.zeros(coords.shape[0], dtype=t.long)
    for axis in range(matrix.ndim):
        flat = flat * matrix.shape[axis] + coords[:, axis]
    return matrix.flatten()[flat]


def batched_logsumexp(matrix):
    c = t.max(matrix, dim=1, keepdim=True)[0]
    return (c + t.log(t.sum(t.exp(matrix - c), dim=1, keepdim=True))).squeeze(1)


def relu_maximum(x):
    return t.maximum(x, t.zeros(1))


def relu_where(x):
    return torch.where(x >= 0, x, 0)
