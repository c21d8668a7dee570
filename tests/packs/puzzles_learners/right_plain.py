import torch


def ones(i):
    return torch.arange(i) * 0 + 1


def sum(a):
    return ones(a.shape[0]) @ a[:, None]


def eye(j):
    return torch.where(torch.arange(j)[:, None] == torch.arange(j), 1, 0)


def triu(j):
    return torch.where(torch.arange(j)[:, None] <= torch.arange(j), 1, 0)


def cumsum(a):
    return a @ triu(a.shape[0])


def outer(a, b):
    return a[:, None] * b[None, :]


def repeat(a, d):
    return ones(d)[:, None] * a
