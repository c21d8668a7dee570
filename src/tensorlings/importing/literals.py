"""Write an evaluated example value back as Python source for the pack: tensors as
`torch.tensor([...], dtype=...)` with their exact float32 values, infinities as `math.inf`."""

from __future__ import annotations

import math
from typing import Any

import torch

_DTYPE_NAMES = {
    torch.float16: "torch.float16", torch.float32: "torch.float32", torch.float64: "torch.float64",
    torch.int8: "torch.int8", torch.int16: "torch.int16", torch.int32: "torch.int32",
    torch.int64: "torch.int64", torch.uint8: "torch.uint8", torch.bool: "torch.bool",
}  # fmt: skip


class NotWritable(Exception):
    """A value with no literal form here (a function, an object of the sheet's own class)."""


def literal(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return _tensor(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple)):
        items = ", ".join(literal(v) for v in value)
        if isinstance(value, list):
            return f"[{items}]"
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, torch.dtype) and value in _DTYPE_NAMES:
        return _DTYPE_NAMES[value]
    raise NotWritable(f"a value of type {type(value).__name__}")


def _float(value: float) -> str:
    if math.isnan(value):
        return "math.nan"
    if math.isinf(value):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(value)


def _tensor(value: torch.Tensor) -> str:
    if value.dtype not in _DTYPE_NAMES:
        raise NotWritable(f"a tensor of dtype {value.dtype}")
    dtype = _DTYPE_NAMES[value.dtype]
    value = value.detach()
    if value.numel() == 0:
        return f"torch.zeros({tuple(value.shape)!r}, dtype={dtype})"
    return f"torch.tensor({_nested(value.tolist())}, dtype={dtype})"


def _nested(data: Any) -> str:
    if isinstance(data, list):
        return "[" + ", ".join(_nested(item) for item in data) + "]"
    if isinstance(data, float):
        return _float(data)
    return repr(data)
