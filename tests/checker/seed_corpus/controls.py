# %%
import einops
import torch
from einops import rearrange, reduce, repeat

# %%
# Correct answers for every function exercise outside the numerics, in learners' styles.


def temperatures_average(temps):
    return reduce(temps, "(w d) -> w", "mean", d=7)


def temperatures_differences(temps):
    avg = reduce(temps, "(w d) -> w", "mean", d=7)
    return temps - repeat(avg, "w -> (w d)", d=7)


def temperatures_normalized(temps):
    weeks = rearrange(temps, "(w d) -> w d", d=7)
    out = (weeks - weeks.mean(dim=1, keepdim=True)) / weeks.std(dim=1, keepdim=True)
    return rearrange(out, "w d -> (w d)")


def batched_dot_product_nd(a, b):
    return einops.einsum(a.flatten(1), b.flatten(1), "b n, b n -> b")


def identity_matrix(n):
    return (torch.arange(n)[:, None] == torch.arange(n)[None, :]).float()


def sample_distribution(probs, n):
    return (torch.rand(n, 1) > torch.cumsum(probs, dim=0)).sum(dim=-1)


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(dim=-1) == true_classes).float().mean()


def total_price_indexing(prices, items):
    return prices[items].sum()


def gather_2d(matrix, indexes):
    assert matrix.ndim == indexes.ndim
    assert indexes.shape[0] <= matrix.shape[0]
    out = matrix.gather(1, indexes)
    assert out.shape == indexes.shape
    return out


def total_price_gather(prices, items):
    return torch.gather(prices, 0, items).sum()


def integer_array_indexing(matrix, coords):
    return matrix[tuple(coords.T)]


def collect_rows(matrix, row_indexes):
    # The stub's guard, kept: .max() of an empty index tensor raises, which the sheet never does.
    assert row_indexes.max() < matrix.shape[0]
    return matrix[row_indexes]


def collect_columns(matrix, column_indexes):
    assert column_indexes.max() < matrix.shape[1]
    return matrix[:, column_indexes]


def relu_clone_setitem(x):
    y = x.clone()
    y[y < 0] = 0.0
    return y


def relu_where(x):
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_maximum(x):
    return torch.maximum(x, torch.tensor(0.0))


def relu_abs(x):
    return (x.abs() + x) / 2


def relu_multiply_bool(x):
    # Gives -0.0 for negative entries, equal to 0.0.
    return x * (x > 0)


def as_strided_1():
    return (4,), (1,)


def as_strided_4():
    return (4,), (6,)
