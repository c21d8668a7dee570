# %%
import torch

# %%
# -0.0 from a clone multiplied, the wrong comparison, an int result, dtype lost.


def relu_clone_setitem(x):
    y = x.clone()
    y[y < 0] *= 0
    return y


def relu_where(x):
    return torch.where(x < 0, x, 0.0)


def relu_maximum(x):
    return torch.maximum(x, torch.tensor(0)).long()


def relu_abs(x):
    return (x + abs(x)) // 2


def relu_multiply_bool(x):
    return x * (x > 0).float()
