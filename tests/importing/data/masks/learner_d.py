import torch


def lower_mask(n):
    return torch.arange(n).unsqueeze(0) <= torch.arange(n).unsqueeze(1)


def band_mask(n, width):
    return (torch.arange(n)[:, None] - torch.arange(n)).abs() < width + 1


def padding_mask(lengths, max_len):
    return torch.arange(max_len) <= lengths[:, None] - 1


def outer_sum(a, b):
    return (a[:, None] + b[None, :]).float()


def pairwise_sq_dist(x, y):
    return ((x[:, None] - y) ** 2).sum(-1).sqrt()


def row_normalize(x):
    return x / x.sum()


def masked_mean(x, mask):
    return x.masked_fill(~mask, 0).sum(1) / mask.sum(1).clamp(min=1)


def threshold(x, level):
    return torch.where(x > level, x, 0)


def count_matches(a, b):
    return torch.isin(a, b).sum()


def first_true(mask):
    return torch.where(mask.any(1), mask.int().argmax(1), mask.shape[1])
