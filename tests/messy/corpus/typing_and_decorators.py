from __future__ import annotations

import functools
from typing import Optional, Tuple, Union

import torch
from torch import Tensor


def batched_softmax(matrix: Tensor) -> Tensor:
    m = matrix.max(dim=-1, keepdim=True)[0]
    e = (matrix - m).exp()
    return e / e.sum(-1, keepdim=True)


@torch.inference_mode()
def identity_matrix(n: int) -> Tensor:
    idx = torch.arange(n)
    return (idx.unsqueeze(0) == idx.unsqueeze(1)).long()


@functools.cache
def as_strided_1() -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    return ((4,), (1,))


@functools.lru_cache(maxsize=None)
def as_strided_2() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return ((2, 3), (5, 1))


@torch.no_grad()
def total_price_indexing(prices: Tensor, items: Tensor, scale: Optional[float] = None) -> Union[Tensor, float]:
    total = prices[items].sum()
    if scale is not None:
        total = total * scale
    return total
