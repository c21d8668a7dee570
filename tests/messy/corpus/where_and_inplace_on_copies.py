import copy

import torch as t


SETTINGS = {"threshold": 0.0}
LOCAL_SETTINGS = copy.deepcopy(SETTINGS)


def relu_clone_setitem(x: t.Tensor) -> t.Tensor:
    y = x.clone()
    y[y < LOCAL_SETTINGS["threshold"]] = 0.0
    return y


def relu_where(x: t.Tensor) -> t.Tensor:
    return t.where(x > 0, x, t.zeros_like(x))


def relu_multiply_bool(x):
    mask = (x > 0).float()
    return x * mask


def batched_logsumexp(matrix: t.Tensor) -> t.Tensor:
    biggest = matrix.max(1).values
    out = matrix - biggest[:, None]
    out = out.exp()
    out = out.sum(1).log()
    out += biggest
    return out
