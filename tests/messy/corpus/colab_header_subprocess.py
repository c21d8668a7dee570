import subprocess
import sys

try:
    import google.colab  # noqa: F401

    IN_COLAB = True
except ImportError:
    IN_COLAB = False

if IN_COLAB:
    subprocess.run([sys.executable, "-m", "pip", "install", "einops"], check=True)
    subprocess.check_call(["pip", "install", "jaxtyping"])

import torch as t


def relu_clone_setitem(x: t.Tensor) -> t.Tensor:
    y = x.clone()
    y[y < 0] = 0
    return y


def relu_where(x: t.Tensor) -> t.Tensor:
    return t.where(x < 0, t.zeros_like(x), x)


def relu_maximum(x: t.Tensor) -> t.Tensor:
    return t.maximum(x, t.zeros_like(x))


def relu_abs(x: t.Tensor) -> t.Tensor:
    return (x + x.abs()) * 0.5


def relu_multiply_bool(x: t.Tensor) -> t.Tensor:
    return x * (x >= 0)


x = t.randn(10)
t.testing.assert_close(relu_where(x), t.relu(x))
