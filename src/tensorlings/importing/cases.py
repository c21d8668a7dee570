"""Infer a random-case maker for a stub from what the sheet states and shows: the docstring's
named dimensions and value ranges, the guard asserts in the stub, and the examples' shapes and
dtypes. The maker is written as ordinary pack code, each guess with a comment saying where it
came from, for the author to review."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import torch

from tensorlings.importing.docstrings import ArgText, describe, from_annotation, returned_dims
from tensorlings.importing.examples import Comparison, FoundExample
from tensorlings.importing.stubs import Stub

_DEFAULT_MAX = 5  # sizes drawn up to 5 by default: small cases, quick to read when one fails


@dataclass
class CasePlan:
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the maker's body, before its return
    returns: list[str] = field(default_factory=list)  # one expression per argument
    notes: list[str] = field(default_factory=list)  # "inferred X from Y"
    todos: list[str] = field(default_factory=list)
    grad_args: tuple[int, ...] = ()
    stress_scale: float | None = None
    shapes: dict[str, str] = field(default_factory=dict)


@dataclass
class _Arg:
    name: str
    index: int
    annotation: str
    values: list[Any]  # this argument in each example
    text: ArgText | None
    dims: list[str] | None = None


@dataclass
class Memory:
    """What earlier stubs said about an argument, for a docstring that says "as above"."""

    texts: dict[str, ArgText] = field(default_factory=dict)
    dims: dict[str, tuple[list[str], dict[str, tuple[int, int]], str]] = field(default_factory=dict)


def plan_cases(stub: Stub, examples: list[FoundExample], memory: Memory) -> CasePlan | None:
    params = stub.params
    if not params:
        return None
    plan = CasePlan()
    args = []
    for index, param in enumerate(params):
        text = describe(stub.docstring, param.arg, memory.texts)
        if text is None or text.dims is None:
            text = from_annotation(param.annotation) or text
        if text is not None:
            memory.texts[param.arg] = text
        values = [e.args[index] for e in examples if len(e.args) > index]
        annotation = ast.unparse(param.annotation) if param.annotation else ""
        args.append(_Arg(param.arg, index, annotation, values, text))
    guards = _Guards(stub.guards)
    close = any(e.comparison is Comparison.CLOSE for e in examples)
    for arg in args:
        if _is_int(arg) or _is_float_scalar(arg):
            continue
        if _says_as_above(stub.docstring, arg.name) and arg.name in memory.dims:
            arg.dims, sizes, shape = memory.dims[arg.name]
            plan.sizes.update(sizes)
            plan.shapes[arg.name] = shape
            plan.notes.append(f"{arg.name}: the same draw as above (the docstring says 'as above')")
            continue
        _tensor_dims(arg, guards, plan)
        if arg.dims is not None:
            used = {k: v for k, v in plan.sizes.items() if any(k in d for d in arg.dims)}
            memory.dims[arg.name] = (arg.dims, used, plan.shapes.get(arg.name, ""))
    if any(d == "*extra" for a in args for d in a.dims or ()):
        plan.lines.append("extra = _extra_axes(draw)  # inferred: any number of trailing axes")
    for arg in args:
        if _is_float_scalar(arg):
            plan.notes.append(
                f"{arg.name}: a Python float in [-2, 2), from the examples and annotation"
            )
            plan.returns.append("float(draw.uniform(-2.0, 2.0))")
            continue
        plan.returns.append(
            _int_arg(arg, guards, plan) if _is_int(arg) else _tensor_arg(arg, guards, plan, close)
        )
    if any(e.grad for e in examples):
        plan.grad_args = tuple(a.index for a in args if _is_float_tensor(a))
        plan.notes.append("inferred gradients (grad_args) from the example's requires_grad=True")
    back = returned_dims(stub.docstring)
    if back:
        plan.shapes["returns"] = _shape_text(back)
    return plan


class _Guards:
    """The stub's guard asserts, read for the few shapes they commonly take."""

    def __init__(self, guards: list[ast.Assert]) -> None:
        self.texts = [ast.unparse(g.test) for g in guards]

    def multiple_of(self, name: str) -> int | None:
        for text in self.texts:
            match = re.fullmatch(
                rf"len\({name}\) % (\d+) == 0|{name}\.shape\[0\] % (\d+) == 0", text
            )
            if match:
                return int(match.group(1) or match.group(2))
        return None

    def same_shape(self, name: str) -> str | None:
        for text in self.texts:
            match = re.fullmatch(
                rf"(\w+)\.shape == {name}\.shape|{name}\.shape == (\w+)\.shape", text
            )
            if match:
                return match.group(1) or match.group(2)
        return None

    def below(self, name: str) -> tuple[str, int] | None:
        for text in self.texts:
            match = re.fullmatch(rf"{name}\.max\(\) < (\w+)\.shape\[(\d+)\]", text)
            if match:
                return match.group(1), int(match.group(2))
        return None

    def at_least(self, name: str) -> int | None:
        for text in self.texts:
            match = re.fullmatch(rf"{name} (>=|>) (\d+)", text)
            if match:
                return int(match.group(2)) + (match.group(1) == ">")
        return None

    def probabilities(self, name: str) -> bool:
        return any(f"{name}.sum()" in text and "1" in text for text in self.texts)

    def source(self, predicate: str) -> str:
        return next((t for t in self.texts if predicate in t), predicate)


def _shape_text(dims: tuple[str, ...]) -> str:
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _says_as_above(docstring: str, name: str) -> bool:
    return bool(
        re.search(rf"^\s*{re.escape(name)}\s*:\s*as above", docstring, re.MULTILINE | re.IGNORECASE)
    )


def _is_float_scalar(arg: _Arg) -> bool:
    if arg.annotation == "float":
        return True
    return bool(arg.values) and all(isinstance(v, float) for v in arg.values)


def _is_int(arg: _Arg) -> bool:
    if arg.annotation == "int":
        return True
    return bool(arg.values) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in arg.values
    )


def _is_float_tensor(arg: _Arg) -> bool:
    return any(isinstance(v, torch.Tensor) and v.is_floating_point() for v in arg.values)


def _size_name(text: str) -> str:
    name = re.sub(r"\W", "_", text.strip()).strip("_") or "size"
    return name if name[0].isalpha() else f"d_{name}"


def _tensor_dims(arg: _Arg, guards: _Guards, plan: CasePlan) -> None:
    shapes = [tuple(v.shape) for v in arg.values if isinstance(v, torch.Tensor)]
    group = guards.multiple_of(arg.name)
    if group is not None:
        arg.dims = [f"{group} * groups"]
        plan.sizes.setdefault("groups", (0 if any(s and s[0] == 0 for s in shapes) else 1, 4))
        plan.notes.append(
            f"{arg.name}: inferred a length that is a multiple of {group} from the guard "
            f"`{guards.source('%')}`"
        )
        plan.shapes[arg.name] = f"({group} * groups,)"
        return
    if arg.text and arg.text.dims:
        arg.dims = _named_dims(arg, shapes, plan)
        plan.notes.append(
            f"{arg.name}: inferred shape {_shape_text(arg.text.dims)} from "
            + ("the docstring" if arg.text.text.startswith(arg.name) else repr(arg.text.text))
        )
        plan.shapes[arg.name] = _shape_text(arg.text.dims)
        return
    if shapes:
        rank = len(shapes[0])
        arg.dims = [
            _declare(f"{arg.name}_{i}", [s[i] for s in shapes if len(s) > i], plan)
            for i in range(rank)
        ]
        plan.notes.append(
            f"{arg.name}: inferred rank {rank} from the examples (sizes named after the "
            "argument: rename the shared ones)"
        )
        plan.shapes[arg.name] = "(" + ", ".join(arg.dims) + ("," if rank == 1 else "") + ")"
        return
    plan.todos.append(
        f"{arg.name}: neither the docstring nor an example shows its shape; write its draw"
    )
    arg.dims = None


def _named_dims(arg: _Arg, shapes: list[tuple[int, ...]], plan: CasePlan) -> list[str]:
    assert arg.text is not None and arg.text.dims is not None
    dims: list[str] = []
    named = [d for d in arg.text.dims if d != "..."]
    variadic = "..." in arg.text.dims
    fixed = arg.text.dims[: arg.text.dims.index("...")] if variadic else arg.text.dims
    # "(b, i_1, ..., i_n)": the named ones after the first ellipsis-adjacent run are one
    # variadic group of axes whose count the examples show.
    fixed = tuple(d for d in fixed if not _is_variadic_name(d, named)) if variadic else fixed
    for position, dim in enumerate(fixed):
        if dim.isdigit():
            dims.append(dim)
            continue
        seen = [s[position] for s in shapes if len(s) > position]
        dims.append(_declare(_size_name(dim), seen, plan))
    if variadic:
        ranks = [len(s) - len(fixed) for s in shapes] or [1, 2]
        low, high = max(0, min(ranks)), max(1, max(ranks))
        plan.sizes.setdefault("extra_axes", (low, high))
        plan.notes.append(
            f"{arg.name}: inferred {low} to {high} trailing axes from the examples' ranks"
        )
        dims.append("*extra")
    return dims


def _is_variadic_name(dim: str, named: list[str]) -> bool:
    """i_1, i_2, i_n or d_0, d_n: numbered names that stand for 'any number of axes'."""
    stem = re.match(r"^([A-Za-z]+)_?(\d+|n)$", dim)
    if stem is None:
        return False
    return sum(1 for d in named if d.startswith(stem.group(1))) > 1


def _declare(name: str, seen: list[int], plan: CasePlan) -> str:
    low = 0 if 0 in seen else 1
    high = max([_DEFAULT_MAX, *seen]) if seen else _DEFAULT_MAX
    old = plan.sizes.get(name)
    plan.sizes[name] = (min(low, old[0]), max(high, old[1])) if old else (low, min(high, 12))
    return name


def _dims_source(dims: list[str]) -> str:
    return ", ".join(d if d.isdigit() or d.startswith("*") or " * " in d else repr(d) for d in dims)


def _dims_expr(dims: list[str]) -> str:
    parts = []
    for d in dims:
        if " * " in d:
            factor, size = d.split(" * ")
            parts.append(f"{factor} * draw.sizes[{size!r}]")
        elif d.isdigit() or d.startswith("*"):
            parts.append(d)
        else:
            parts.append(repr(d))
    return ", ".join(parts)


def _integer_arg(arg: _Arg, dims: str, plan: CasePlan, close: bool) -> str:
    """An integer tensor: an index into some axis, or integer data."""
    # What the description says beyond the argument's own shape: "the true class" names the
    # classes axis of another argument.
    text = _SHAPE_TEXT.sub("", (arg.text.text if arg.text else "").split(":", 1)[-1])
    own = {d for d in arg.dims or () if not d.startswith("*")}
    for size in sorted(plan.sizes, key=len, reverse=True):
        word = (
            re.sub(r"(?:es|s)$", "", size)
            if size.endswith(("sses", "ches", "xes"))
            else size.rstrip("s")
        )
        if (
            size not in own
            and len(word) > 2
            and re.search(rf"\b{re.escape(word)}(?:es|s)?\b", text)
        ):
            plan.notes.append(
                f"{arg.name}: indices in [0, {size}), since its description names '{word}'"
            )
            return f"draw.integers(0, draw.sizes[{size!r}], {dims})"
    if _INDEX_NAME.search(arg.name):
        plan.todos.append(
            f"{arg.name}: indices whose range the sheet does not state: draw them in the "
            "range of the axis they index"
        )
        return f"draw.integers(0, 2, {dims})  # TODO: the range of the axis these index"
    if close:
        plan.notes.append(
            f"{arg.name}: the examples are integers but compared with tolerances: drawn as floats"
        )
        return f"draw.normal({dims})"
    values = [v for v in arg.values if isinstance(v, torch.Tensor) and v.numel()]
    low = min([0, *(int(v.min()) for v in values)])
    high = max([10, *(int(v.max()) + 1 for v in values)])
    plan.notes.append(f"{arg.name}: integers in [{low}, {high}), the examples' dtype and range")
    return f"draw.integers({low}, {high}, {dims})"


_SHAPE_TEXT = re.compile(r"shape\s*\([^)]*\)", re.IGNORECASE)
_INDEX_NAME = re.compile(r"ind(?:ex|ices|exes)|idx|label|class|coord|item|position", re.IGNORECASE)


def _tensor_arg(arg: _Arg, guards: _Guards, plan: CasePlan, close: bool) -> str:
    same = guards.same_shape(arg.name)
    if arg.dims is None:
        plan.todos.append(f"{arg.name}: no draw inferred")
        return "None  # TODO: draw this argument"
    dims = _dims_expr(arg.dims)
    sample = next((v for v in arg.values if isinstance(v, torch.Tensor)), None)
    if same:
        plan.notes.append(
            f"{arg.name}: the same shape as {same}, from the guard `{guards.source('.shape ==')}`"
        )
    bound = guards.below(arg.name)
    value_range = arg.text.value_range if arg.text else None
    if bound is not None:
        other, axis = bound
        plan.notes.append(
            f"{arg.name}: integers below {other}.shape[{axis}], from the guard "
            f"`{guards.source('.max()')}`"
        )
        return f"draw.integers(0, {other}.shape[{axis}], {dims})"
    if value_range is not None:
        low, high = value_range
        high_expr = high if high.lstrip("-").isdigit() else f"draw.sizes[{_size_name(high)!r}]"
        if not high.lstrip("-").isdigit() and _size_name(high) not in plan.sizes:
            plan.sizes[_size_name(high)] = (1, _DEFAULT_MAX)
        plan.notes.append(
            f"{arg.name}: integers in [{low}, {high}), from the docstring: "
            f"{arg.text.text if arg.text else ''}"
        )
        return f"draw.integers({low}, {high_expr}, {dims})"
    if guards.probabilities(arg.name) or (arg.text is not None and arg.text.probabilities):
        plan.notes.append(
            f"{arg.name}: a probability distribution (softmax of normal draws), from the "
            "docstring and guards"
        )
        return f"torch.softmax(draw.normal({dims}).double(), dim=-1).to(draw.dtype)"
    if sample is not None and sample.dtype == torch.bool:
        plan.notes.append(f"{arg.name}: booleans, from the examples' dtype")
        return f"draw.integers(0, 2, {dims}).bool()"
    if sample is not None and not sample.is_floating_point():
        return _integer_arg(arg, dims, plan, close)
    if arg.text is not None and arg.text.positive:
        plan.notes.append(
            f"{arg.name}: positive floats in [0.1, 2), from the docstring: {arg.text.text}"
        )
        return f"draw.uniform(0.1, 2.0, {dims})"
    plan.notes.append(
        f"{arg.name}: standard normal floats (the examples' dtype is "
        f"{sample.dtype if sample is not None else 'unknown'})"
    )
    return f"draw.normal({dims})"


def _int_arg(arg: _Arg, guards: _Guards, plan: CasePlan) -> str:
    seen = [v for v in arg.values if isinstance(v, int)]
    low = guards.at_least(arg.name)
    low = (0 if 0 in seen else 1) if low is None else low
    high = max([_DEFAULT_MAX, *seen]) if max(seen, default=0) <= 12 else 12
    name = _size_name(arg.name)
    old = plan.sizes.get(name)
    plan.sizes[name] = (min(low, old[0]), max(high, old[1])) if old else (low, high)
    plan.notes.append(
        f"{arg.name}: an int drawn in [{plan.sizes[name][0]}, {plan.sizes[name][1]}] "
        "(from the guard and the examples)"
    )
    return f"draw.sizes[{name!r}]"
