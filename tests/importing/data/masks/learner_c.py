import torch
import torch.nn.functional as F


def lower_mask(n):
    return torch.ones(n, n, dtype=torch.bool).tril()


def band_mask(n, width):
    ...


def padding_mask(lengths, max_len):
    return torch.arange(max_len).expand(len(lengths), max_len) < lengths.unsqueeze(1)


def outer_sum(a, b):
    return a.view(-1, 1) + b.view(1, -1)


def pairwise_sq_dist(x, y):
    diff = x[:, None] - y[None]
    return torch.einsum("ijk,ijk->ij", diff, diff)


def row_normalize(x):
    return F.normalize(x, p=1, dim=1)


def masked_mean(x, mask):
    return torch.nan_to_num((x * mask).sum(1) / mask.sum(1))


def threshold(x, level):
    return x * (x > level)


def count_matches(a, b):
    return sum(int((a == value).sum()) for value in b)


def first_true(mask):
    pass
