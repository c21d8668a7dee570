import torch


def lower_mask(n):
    return torch.arange(n)[:, None] > torch.arange(n)


def band_mask(n, width):
    return (torch.arange(n)[:, None] - torch.arange(n)) <= width


def padding_mask(lengths, max_len):
    return torch.stack([torch.arange(max_len) < length for length in lengths])


def outer_sum(a, b):
    return a + b


def pairwise_sq_dist(x, y):
    return torch.cdist(x, y) ** 2


def row_normalize(x):
    return x / x.sum(0, keepdim=True)


def masked_mean(x, mask):
    return (x * mask).sum(1) / mask.sum(1)


def threshold(x, level):
    return torch.clamp(x, min=level)


def count_matches(a, b):
    return (a == b).sum()


def first_true(mask):
    return mask.int().argmax(dim=1)
