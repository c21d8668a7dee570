"""Learner values read without running learner code: only exact built-in types are taken apart.

Once a call has returned, the audit is disarmed and the recorder is off, so nothing of the
learner's may run any more. Yet almost every Python operation can call it: `isinstance` reads
an object's `__class__` (a property of the learner's class), `len`, iteration and indexing call
a subclass's `__len__`, `__iter__` and `__getitem__`, a class's `__name__` goes through its
metaclass, and a tensor subclass's methods and torch's own ops call its `__torch_function__`
or `__torch_dispatch__`. A tensor-like object could then compute the answer while it is being
sent back, where no rule sees it.

So values are classified by `type(value) is ...` alone, and types are read through the C slots
of `type` itself (captured here, before any learner code runs). Exact containers are rebuilt
item by item; a tensor subclass becomes a plain tensor through torch's C base class when it
brings no dispatch handler of its own, and anything else is replaced by an `Unsendable` that
names its type, without one of its methods being called.
"""

from __future__ import annotations

import types
from typing import Any

import numpy
import torch

# Captured before any learner code: the C getters of `type` and of functions, which no
# metaclass or learner class can override.
_mro = type.__dict__["__mro__"].__get__
_class_dict = type.__dict__["__dict__"].__get__
_qualname = type.__dict__["__qualname__"].__get__
_module = type.__dict__["__module__"].__get__
_code = types.FunctionType.__dict__["__code__"].__get__
_len = len
_Tensor = torch.Tensor
_as_subclass = torch._C.TensorBase.as_subclass
_dispatch_keys = torch._C._dispatch_keys
_PYTHON_KEY = torch._C.DispatchKey.Python
_no_torch_function = torch._C.DisableTorchFunction
_TORCH_DIR = torch.__file__.rsplit("/", 1)[0] + "/"
_TORCH_DEFAULTS = (torch._C._disabled_torch_function_impl, torch._C._disabled_torch_dispatch_impl)
_HANDLERS = ("__torch_function__", "__torch_dispatch__")
_TENSORS = (torch.Tensor, torch.nn.Parameter)  # torch's own: their handlers are torch's
# Taken as they are: built-in scalars and numpy's own scalar and array types (its C code).
NUMPY: tuple[type, ...] = (numpy.ndarray, *{numpy.dtype(c).type for c in "?bhilqBHILQefdgFDG"})
_AS_IS: tuple[type, ...] = (
    bool,
    int,
    float,
    complex,
    str,
    type(None),
    torch.dtype,
    torch.Size,
    *NUMPY,
)
MAX_DEPTH = 6
MAX_ITEMS = 10_000


class Unsendable:
    """Stands for a value that is not taken apart: only its type's name is sent."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def _one_of(kind: type, kinds: tuple[type, ...]) -> bool:
    """By identity: `in` would call a learner metaclass's __eq__."""
    return any(kind is k for k in kinds)


def type_name(value: Any, qualified: bool = False) -> str:
    """The name of `value`'s type, read from the type's C slots, capped at 200 characters."""
    kind = type(value)
    name = _qualname(kind)
    if qualified:
        module = _module(kind)
        name = f"{module}.{name}" if type(module) is str else name
    return name if _len(name) <= 200 else name[:199] + "…"


def is_tensor_type(kind: type) -> bool:
    return any(klass is _Tensor for klass in _mro(kind))


def _learners(handler: Any) -> bool:
    """A handler that is not torch's: a default, or a function written inside torch."""
    if type(handler) is classmethod or type(handler) is staticmethod:
        handler = handler.__func__
    if any(handler is default for default in _TORCH_DEFAULTS):
        return False
    if type(handler) is not types.FunctionType:
        return True
    filename = _code(handler).co_filename
    return type(filename) is not str or not filename.startswith(_TORCH_DIR)


def own_handler(kind: type, names: tuple[str, ...] = _HANDLERS) -> bool:
    """The class, or one it inherits from (up to torch.Tensor), brings a handler of its own."""
    for name in names:
        for klass in _mro(kind):
            if klass is _Tensor:
                break
            found = _class_dict(klass)
            if name in found:
                if _learners(found[name]):
                    return True
                break
    return False


def plain_tensor(value: Any) -> torch.Tensor | None:
    """A tensor subclass as a plain tensor over the same data, or None when taking it apart
    would run a dispatch handler of its own."""
    kind = type(value)
    if _one_of(kind, _TENSORS):
        return value
    with _no_torch_function():
        if _dispatch_keys(value).has(_PYTHON_KEY) or own_handler(kind, ("__torch_dispatch__",)):
            return None
        return _as_subclass(value, _Tensor)


def plain(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """`value` rebuilt from exact types only (other parts become `Unsendable`), and whether a
    tensor subclass with a handler of its own was in it (torch runs that handler where the
    recorder cannot see its calls)."""
    kind = type(value)
    if _one_of(kind, _TENSORS) or _one_of(kind, _AS_IS) or kind is Unsendable:
        return value, False
    if is_tensor_type(kind):
        converted = plain_tensor(value)
        hides = own_handler(kind)
        return (Unsendable(type_name(value, True)) if converted is None else converted), hides
    if (kind is list or kind is tuple) and depth < MAX_DEPTH and _len(value) <= MAX_ITEMS:
        parts = [plain(item, depth + 1) for item in value]
        items = [part for part, _ in parts]
        return (items if kind is list else tuple(items)), any(hides for _, hides in parts)
    return Unsendable(type_name(value, True)), False


_args = BaseException.__dict__["args"].__get__
_traceback = BaseException.__dict__["__traceback__"].__get__
_flags = type.__dict__["__flags__"].__get__
_HEAP_TYPE = 1 << 9
_TEXT_ARGS: tuple[type, ...] = (str, int, float, bool, type(None))


def traceback_of(error: BaseException) -> Any:
    """The exception's traceback, read from BaseException's own slot."""
    return _traceback(error)


def exception_text(error: BaseException, cap: int) -> str:
    """The exception's message when reading it runs only C code: its `__str__` is a built-in
    type's and its arguments are plain text or numbers; otherwise a placeholder."""
    arguments = _args(error)
    plain_args = type(arguments) is tuple and all(_one_of(type(a), _TEXT_ARGS) for a in arguments)
    as_text = _builtin_str(type(error))
    if not plain_args or as_text is None:
        return "(the exception's message was not read: it is not plain text)"
    text = as_text(error)
    return text if _len(text) <= cap else text[: cap - 1] + "…"


def _builtin_str(kind: type) -> Any:
    """The `__str__` that `str()` would call, if a built-in (C) type defines it; else None."""
    for klass in _mro(kind):
        found = _class_dict(klass)
        if "__str__" in found:
            return None if _flags(klass) & _HEAP_TYPE else found["__str__"]
    return None


def class_attribute(kind: type, name: str) -> Any:
    """`name` from the class dictionaries along the MRO (no descriptor is called); else None."""
    for klass in _mro(kind):
        found = _class_dict(klass)
        if name in found:
            return found[name]
    return None


def is_tuple_type(kind: type) -> bool:
    return any(klass is tuple for klass in _mro(kind))
