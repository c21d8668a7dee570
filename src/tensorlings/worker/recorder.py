"""Record which torch and einops calls the learner's own code makes while an exercise runs.

A TorchFunctionMode sees every torch function and Tensor method call; walking the stack to the
first frame outside torch tells who made it. Calls whose first outside frame is in the learner's
file count; calls made inside a library (einops reshaping for you) do not. einops' functions are
not torch functions, so they are wrapped.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import einops
import torch
from torch.overrides import TorchFunctionMode

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_EINOPS_NAMES = ("rearrange", "reduce", "repeat", "einsum", "pack", "unpack")
_REVERSED = {"rmul": "mul", "radd": "add", "rsub": "sub", "rtruediv": "div", "truediv": "div"}
_MULTIPLY = {"mul", "mul_", "multiply", "imul"}


def canonical_name(func: Any) -> str:
    """One name for every spelling: torch.softmax, x.softmax and F.softmax are all `softmax`."""
    name = getattr(func, "__name__", "") or ""
    if name == "__get__":  # a property such as x.shape
        name = getattr(getattr(func, "__self__", None), "__name__", name)
    name = name.removeprefix("special_")
    if name.startswith("__") and name.endswith("__") and name not in ("__getitem__", "__setitem__"):
        name = name.strip("_")
    return _REVERSED.get(name, name)


def _is_int_tensor(value: Any) -> bool:
    return (
        isinstance(value, torch.Tensor)
        and not value.dtype.is_floating_point
        and value.dtype != torch.bool
        and not value.dtype.is_complex
    )


def _index_parts(index: Any) -> tuple[Any, ...]:
    return index if isinstance(index, tuple) else (index,)


def events_for(name: str, args: tuple[Any, ...]) -> list[str]:
    """The rule-relevant events one call stands for, its own name first."""
    events = [name]
    if name == "__getitem__" and len(args) > 1:
        if any(_is_int_tensor(part) for part in _index_parts(args[1])):
            events.append("int_tensor_index")
    elif name == "__setitem__":
        events.append("setitem")
    elif name in _MULTIPLY and any(
        isinstance(a, torch.Tensor) and a.dtype == torch.bool for a in args
    ):
        events.append("bool_mask_multiply")
    return events


class CallRecorder:
    """Collects the learner's calls; `attribute` decides whether a call is the learner's."""

    def __init__(self, learner_file: str) -> None:
        self.learner_file = learner_file
        # Lines of the learner's own asserts: a call made only to check an answer
        # (`assert (out == t.eye(n)).all()`) is not the code that computes it.
        self.assert_lines: frozenset[int] = frozenset()
        self.calls: dict[str, int] = {}
        self.active = False

    def learner_made_call(self) -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(_TORCH_DIR) or filename.startswith(_HERE):
                frame = frame.f_back  # type: ignore[assignment]
                continue
            return filename == self.learner_file and frame.f_lineno not in self.assert_lines
        return False

    def note(self, events: list[str]) -> None:
        for event in events:
            self.calls[event] = self.calls.get(event, 0) + 1

    def take(self) -> dict[str, int]:
        calls, self.calls = self.calls, {}
        return calls


def assert_lines(units: list[dict[str, Any]]) -> frozenset[int]:
    """Every line covered by an assert statement in the learner's cells."""
    import ast

    lines: set[int] = set()
    for unit in units:
        try:
            tree = ast.parse(unit["code"])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                end = node.end_lineno or node.lineno
                lines.update(range(node.lineno + unit["line"] - 1, end + unit["line"]))
    return frozenset(lines)


class _RecordingMode(TorchFunctionMode):
    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        if self.recorder.learner_made_call():
            self.recorder.note(events_for(canonical_name(func), args))
        return func(*args, **(kwargs or {}))


def recording(recorder: CallRecorder) -> TorchFunctionMode:
    return _RecordingMode(recorder)


def wrap_einops(recorder: CallRecorder) -> None:
    """Replace einops' functions with recording wrappers (before the learner imports them)."""
    for name in _EINOPS_NAMES:
        original = getattr(einops, name, None)
        if original is None:
            continue

        def make(original: Callable[..., Any], name: str) -> Callable[..., Any]:
            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if recorder.active and recorder.learner_made_call():
                    recorder.note([name])
                return original(*args, **kwargs)

            return wrapper

        setattr(einops, name, make(original, name))
