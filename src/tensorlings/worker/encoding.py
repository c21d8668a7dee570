"""Plain-data encoding of the values that cross between the checker and the worker.

Tensors travel as dtype, shape and raw little-endian bytes; nothing is ever pickled. The
functions used to take a tensor apart are captured when this module is imported, before any
learner code runs, so patching `torch.Tensor` methods afterwards cannot change what is sent.
`decode` validates everything: a malformed value raises `EncodingError`, never anything worse.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import torch

from tensorlings.messages.zygote import recipe_key
from tensorlings.worker import plain

# Bound at import, before any learner code: a file that replaces math.prod or base64's functions
# at its top must not change how the worker reads its inputs or writes its answers (its
# neighbours' included).
_prod = math.prod
_b64encode, _b64decode = base64.b64encode, base64.b64decode

_DTYPES: dict[str, torch.dtype] = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
    "uint8": torch.uint8,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}

# Captured now, from the C base class, before learner code can replace them on torch.Tensor.
_base = torch._C.TensorBase
_detach = _base.detach
_to = _base.to
_contiguous = _base.contiguous
_view = _base.view
_numpy = _base.numpy
_clone = _base.clone
_shape = _base.shape.__get__  # type: ignore[attr-defined]
_dtype = _base.dtype.__get__  # type: ignore[attr-defined]
tensor_shape, tensor_dtype = _shape, _dtype  # for the worker's other readers
_element_size = _base.element_size
_device = _base.device.__get__
_requires_grad = _base.__dict__["requires_grad"].__get__
_grad_fn = _base.__dict__["grad_fn"].__get__
_device_text = torch.device.__str__
_item = plain.numpy.generic.item
# numpy's own integer, boolean and float scalar types: sent as the plain number they hold.
_NUMBERS = tuple(
    t for t in plain.NUMPY if t is not plain.numpy.ndarray and plain.numpy.dtype(t).kind in "iubf"
)
_is_nan = torch.isnan
_nan_to_num = torch.nan_to_num
_equal = torch.equal
_frombuffer = torch.frombuffer
_empty = torch.empty
_no_torch_function = torch._C.DisableTorchFunction

MAX_DEPTH = 6
MAX_ITEMS = 10_000
MAX_STR = 4_000


class EncodingError(Exception):
    """A value could not be decoded: it is not in the shape this protocol allows."""


def dtype_name(dtype: torch.dtype) -> str:
    return _NAMES.get(dtype, str(dtype).removeprefix("torch."))


def _tensor_bytes(x: torch.Tensor) -> bytes:
    flat = _contiguous(_to(_detach(x), "cpu"))
    if _dtype(flat) == torch.bfloat16:
        flat = _view(flat, torch.int16)
    return bytes(_numpy(flat).tobytes())


def encode_tensor(x: torch.Tensor, max_bytes: int) -> dict[str, Any]:
    with _no_torch_function():
        shape = [int(s) for s in _shape(x)]
        dtype = _dtype(x)
        record: dict[str, Any] = {
            "t": "tensor",
            "dtype": dtype_name(dtype),
            "shape": shape,
            "device": _device_text(_device(x)),
            "requires_grad": _requires_grad(x) is True,
            "grad_fn": _grad_fn(x) is not None,
            "data": None,
        }
        nbytes = _prod(shape) * _element_size(x)
        if dtype in _NAMES and nbytes <= max_bytes:
            record["data"] = _b64encode(_tensor_bytes(x)).decode("ascii")
        return record


def encode(value: Any, max_bytes: int = 64 * 1024 * 1024, depth: int = 0) -> dict[str, Any]:
    """Plain data for a value; other objects are described by their type's name only.

    Only exact built-in types (and torch's and numpy's own) are taken apart, by `type(value)`
    alone: nothing here calls a method of the learner's (plain.py says why)."""
    kind = type(value)
    if plain.is_tensor_type(kind):
        tensor = plain.plain_tensor(value)
        if tensor is None:
            return {"t": "other", "type": plain.type_name(value, qualified=True)}
        return encode_tensor(tensor, max_bytes)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": value}
    if any(kind is t for t in _NUMBERS):
        value = _item(value)  # a numpy scalar (numpy's own type): send the plain number
        kind = type(value)
    if kind is int:
        if abs(value) < 10**100:
            return {"t": "int", "v": str(value)}
        return {"t": "other", "type": "int of more than 100 digits"}
    if kind is float:
        return {"t": "float", "v": float.hex(value)}
    if kind is str:
        return {"t": "str", "v": value[:MAX_STR]}
    if kind is torch.dtype:
        return {"t": "dtype", "v": dtype_name(value)}
    exact_sequence = kind is list or kind is tuple or kind is torch.Size
    if exact_sequence and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        if depth == 0 and _count_items(value) > MAX_ITEMS:
            return {"t": "other", "type": f"{kind.__name__} of more than {MAX_ITEMS} items"}
        items = [encode(item, max_bytes, depth + 1) for item in value]
        return {"t": "list" if kind is list else "tuple", "items": items}
    if kind is plain.Unsendable:
        return {"t": "other", "type": value.type_name}
    return {"t": "other", "type": plain.type_name(value, qualified=True)}


def same_tensor(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal shape, dtype and values (nan equal to nan), with functions learner code cannot
    have patched."""
    with _no_torch_function():
        if _shape(a) != _shape(b) or _dtype(a) != _dtype(b):
            return False
        a, b = _to(_detach(a), "cpu"), _to(_detach(b), "cpu")
        if _equal(a, b):  # the usual answer, at once; unequal may still be NaN against NaN
            return True
        if not _equal(_is_nan(a), _is_nan(b)):
            return False
        if _dtype(a).is_floating_point or _dtype(a).is_complex:
            a, b = _nan_to_num(a, 0.0), _nan_to_num(b, 0.0)
        return bool(_equal(a, b))


def _count_items(value: Any, depth: int = 0) -> int:
    """Items in nested lists and tuples, counting stops soon after the limit."""
    kind = type(value)
    if not (kind is list or kind is tuple or kind is torch.Size) or depth > MAX_DEPTH:
        return 1
    total = 0
    for item in value:
        total += _count_items(item, depth + 1)
        if total > MAX_ITEMS:
            break
    return total


def decode_tensor(record: dict[str, Any]) -> torch.Tensor | None:
    """The tensor a record describes; None when its data was too large to send."""
    name = record.get("dtype")
    shape = record.get("shape")
    if name not in _DTYPES:
        raise EncodingError(f"unknown dtype {name!r}")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
        raise EncodingError(f"bad shape {shape!r}")
    dtype = _DTYPES[name]
    data = record.get("data")
    if data is None:
        return None
    if not isinstance(data, str):
        raise EncodingError("tensor data must be base64 text")
    raw = _b64decode(data.encode("ascii"), validate=True)
    numel = _prod(shape)
    itemsize = _empty((), dtype=dtype).element_size()
    if len(raw) != numel * itemsize:
        raise EncodingError(f"{len(raw)} bytes for {numel} elements of {name}")
    if numel == 0:
        return _empty(shape, dtype=dtype)
    storage_dtype = torch.int16 if dtype == torch.bfloat16 else dtype
    flat = _clone(_frombuffer(bytearray(raw), dtype=storage_dtype))
    if dtype == torch.bfloat16:
        flat = _view(flat, torch.bfloat16)
    return flat.reshape(shape)


def recipe(kind: str, shape: tuple[int, ...], seed: int, **params: Any) -> dict[str, Any]:
    """A seeded random tensor described rather than sent: large inputs cost nothing to ship."""
    return {"t": "recipe", "kind": kind, "shape": list(shape), "seed": seed, **params}


# Recipes made once in the zygote (`keep_recipes`), which every child forked after it holds.
_KEPT: dict[str, torch.Tensor] = {}
_KEPT_BYTES = 64 * 1024 * 1024  # past this the zygote forgets what it kept and starts again
_KEPT_COUNT = 32  # recipes one request may ask for


def keep_recipes(records: Any) -> None:
    """Make these recipes here, in the zygote, once: every child forked afterwards then copies
    the kept tensor instead of drawing it again. The coach's larger inputs are the same for many
    exercises and, under `grade`, for every submission (one seed per run): each drawing cost a
    learner process 3-4 ms of CPU, the copy about 1 ms. A record that is not a valid recipe is
    skipped (the child then reports it as it would have)."""
    if type(records) is not list:
        return
    for record in records[:_KEPT_COUNT]:
        try:
            key = recipe_key(record)
            if key in _KEPT:
                continue
            tensor = make_recipe(record)
        except (EncodingError, KeyError, TypeError, ValueError, RuntimeError):
            continue
        size = tensor.element_size() * tensor.numel()
        if size + sum(t.element_size() * t.numel() for t in _KEPT.values()) > _KEPT_BYTES:
            _KEPT.clear()
        if size <= _KEPT_BYTES:
            _KEPT[key] = tensor


def make_recipe(record: dict[str, Any]) -> torch.Tensor:
    """The tensor a recipe describes: a copy of the one the zygote kept (the same values: it
    ran this same function) or drawn now. Always a tensor of the caller's own, which learner
    code may change in place without changing the next call's input."""
    if _KEPT:
        kept = _KEPT.get(recipe_key(record))
        if kept is not None:
            return kept.clone()
    shape = tuple(int(s) for s in record["shape"])
    if _prod(shape) > 50_000_000:
        raise EncodingError("recipe too large")
    generator = torch.Generator().manual_seed(int(record["seed"]))
    kind = record.get("kind")
    if kind == "normal":
        return torch.randn(shape, generator=generator)
    if kind == "integers":
        return torch.randint(int(record["low"]), int(record["high"]), shape, generator=generator)
    if kind == "probs":
        weights = torch.rand(shape, generator=generator)
        return weights / weights.sum()
    raise EncodingError(f"unknown recipe {kind!r}")


def decode(record: Any, depth: int = 0, recipes: bool = False) -> Any:
    """The value a record describes; raises EncodingError for anything malformed.

    Recipes (seeded random tensors) are made only where `recipes` is set: the worker's inputs,
    never values coming back from it."""
    if not isinstance(record, dict) or depth > MAX_DEPTH + 1:
        raise EncodingError("expected an encoded value")
    kind = record.get("t")
    value = record.get("v")
    if kind == "tensor":
        return decode_tensor(record)
    if kind == "recipe" and recipes:
        return make_recipe(record)
    if kind == "none":
        return None
    if kind == "bool" and type(value) is bool:
        return value
    if kind == "int" and isinstance(value, str) and len(value) < 110:
        return int(value)
    if kind == "float" and isinstance(value, str) and len(value) < 40:
        return float.fromhex(value)
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "dtype" and value in _DTYPES:
        return _DTYPES[value]
    if kind in ("list", "tuple") and isinstance(record.get("items"), list):
        items = [decode(item, depth + 1, recipes) for item in record["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "other":
        return OtherValue(str(record.get("type", "?"))[:200])
    raise EncodingError(f"malformed value of kind {kind!r}")


class OtherValue:
    """Stands for a value of a type that is not sent over (only its type name is)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class TooLarge(OtherValue):
    """A tensor too large to send back: only its shape and dtype are known."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__(f"tensor of shape {tuple(record.get('shape', []))}")
        self.shape = tuple(record.get("shape", []))
        self.dtype = str(record.get("dtype"))


def decode_answer(record: Any) -> Any:
    """The value the learner's code returned, or an OtherValue that says why it could not be
    taken in (a wrong answer of the learner's, never the checker's error)."""
    try:
        value = decode(record)
    except (EncodingError, ValueError, TypeError) as error:
        return OtherValue(f"undecodable value ({error})")
    if value is None and isinstance(record, dict) and record.get("t") == "tensor":
        return TooLarge(record)
    return value


def device_of(record: Any) -> str:
    """The device an encoded value names ("cpu" when it names none)."""
    return str(record.get("device", "cpu")) if isinstance(record, dict) else "cpu"
