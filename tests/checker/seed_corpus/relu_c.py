# %%
# Gradient cut by detach, and an operator-precedence slip that returns a mask.


def relu_clone_setitem(x):
    y = x.detach().clone()
    y[y < 0] = 0
    return y


def relu_multiply_bool(x):
    return x * x > 0
