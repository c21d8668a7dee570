# %%
import torch

# %%
# In-place mutation, a hard-coded size, abs without the shift, where with >=, -0.0 variants.


def relu_clone_setitem(x):
    x[x < 0] = 0
    return x


def relu_where(x):
    return torch.where(x >= 0, x, -0.0)


def relu_maximum(x):
    return torch.maximum(x, torch.zeros(3))


def relu_abs(x):
    return x.abs()


def relu_multiply_bool(x):
    return x.mul_(x > 0)
