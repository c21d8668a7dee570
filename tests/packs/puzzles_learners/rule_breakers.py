import torch


def ones(i):
    return torch.ones(i, dtype=torch.int64)


def _total(a):
    return a.sum(0, keepdim=True)


def sum(a):
    return _total(a)


def eye(j):
    return torch.add(torch.where(torch.arange(j)[:, None] == torch.arange(j), 1, 0), 0)


def triu(j):
    return torch.where(torch.arange(j)[:, None] <= torch.arange(j), 1.0, 0.0).long()


def cumsum(a):
    return torch.cumsum(a, 0)


def outer(a, b):
    return a.float()[:, None] @ b[None, :]


def repeat(a, d):
    return a.repeat(d, 1)
