import torch


def lower_mask(n):
    return torch.arange(n)[:, None] >= torch.arange(n)


def band_mask(n, width):
    return (torch.arange(n)[:, None] - torch.arange(n)).abs() <= width


def padding_mask(lengths, max_len):
    return torch.arange(max_len)[None, :] < lengths[:, None]


def outer_sum(a, b):
    return a.unsqueeze(1) + b.unsqueeze(0)


def pairwise_sq_dist(x, y):
    return ((x.unsqueeze(1) - y.unsqueeze(0)) ** 2).sum(dim=2)


def row_normalize(x):
    return x / x.sum(-1, keepdim=True)


def masked_mean(x, mask):
    total = (x * mask).sum(1)
    count = mask.sum(1)
    return torch.where(count > 0, total / count.clamp(min=1), 0.0)


def threshold(x, level):
    return torch.where(x > level, x, 0.0)


def count_matches(a, b):
    return (a.unsqueeze(1) == b.unsqueeze(0)).sum()


def first_true(mask):
    n = mask.shape[1]
    index = torch.arange(n).expand_as(mask)
    return torch.where(mask, index, n).min(1).values
