from typing import Tuple

import torch as t
from torch import Tensor


def outer(a: Tensor, b: Tensor) -> Tensor:
    """Outer product by broadcasting."""
    assert a.ndim == 1 and b.ndim == 1, f"got {a.shape} and {b.shape}"
    return a[:, None] * b[None, :]


def linspace(start: float, end: float, steps: int) -> Tensor:
    if steps == 1:
        return t.tensor([start])
    step = (end - start) / max(steps - 1, 1)
    return start + t.arange(steps) * step


def pad(x: Tensor, before: int, after: int) -> Tensor:
    rows, n = x.shape
    out = x.new_zeros((rows, before + n + after))
    out[:, before : before + n] = x
    return out


def _shape(x: Tensor) -> Tuple[int, ...]:
    return tuple(x.shape)
