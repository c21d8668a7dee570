import torch


def ones(i):
    return torch.arange(i)


def sum(a):
    return a[1:] @ ones(len(a) - 1)[:, None]


def eye(j):
    return torch.where(torch.arange(j)[:, None] < torch.arange(j), 1, 0)


def triu(j):
    return torch.where(torch.arange(j)[:, None] < torch.arange(j), 1, 0)


def cumsum(a):
    return a


def outer(a, b):
    return b[:, None] * a[None, :]


def repeat(a, d):
    return a[:, None] * (torch.arange(d) * 0 + 1)
