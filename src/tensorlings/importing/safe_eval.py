"""Evaluate the sheet's example arguments without running the sheet: a small interpreter over
the expression's syntax tree that knows literals, arithmetic, and an allowed list of
deterministic torch and math calls. Anything else (a random draw, an unknown name, a call
outside the list, a tensor too large) is refused, and that example is left to the author."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

import torch

# One tensor in an example is at most this many elements (the sheet's are tiny).
MAX_ELEMENTS = 1_000_000

# Pure, deterministic computations that are both torch functions and Tensor methods.
_MATH_OPS = ("exp", "log", "sqrt", "abs", "sum", "mean", "std", "var", "max", "min", "argmax",
             "argmin", "cumsum", "softmax", "log_softmax", "logsumexp", "flip", "roll")  # fmt: skip
_TORCH_FUNCTIONS = frozenset(
    ("tensor", "arange", "zeros", "ones", "full", "eye", "linspace", "zeros_like", "ones_like",
     "full_like", "stack", "cat", "where", "maximum", "minimum", "tril", "triu", "matmul",
     "einsum", "outer", "clamp") + _MATH_OPS
)  # fmt: skip
_TENSOR_METHODS = frozenset(
    ("view", "reshape", "float", "double", "long", "int", "bool", "half", "t", "transpose",
     "permute", "unsqueeze", "squeeze", "flatten", "clone", "contiguous", "repeat", "expand",
     "tolist", "item", "argsort", "detach", "to", "numel", "size", "dim") + _MATH_OPS
)  # fmt: skip
_MATH = {"log": math.log, "exp": math.exp, "sqrt": math.sqrt, "pi": math.pi, "inf": math.inf}
_BUILTINS: dict[str, Callable[..., Any]] = {
    "float": float, "int": int, "range": range, "len": len, "list": list, "tuple": tuple,
    "abs": abs,
}  # fmt: skip
_DTYPE_NAMES = ("float16", "float32", "float64", "float", "double", "half", "int8", "int16",
                "int32", "int64", "int", "long", "uint8", "bool")  # fmt: skip
_DTYPES = {name: getattr(torch, name) for name in _DTYPE_NAMES}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}  # fmt: skip


class Unsafe(Exception):
    """The expression uses something the evaluator does not allow; the message says what."""


def evaluate(node: ast.expr, env: Mapping[str, Any], torch_names: frozenset[str]) -> Any:
    """The value of `node`; `torch_names` are the names the sheet imports torch as (t, torch)."""
    return _Evaluator(env, torch_names).value(node)


class _Evaluator:
    def __init__(self, env: Mapping[str, Any], torch_names: frozenset[str]) -> None:
        self.env = env
        self.torch_names = torch_names

    def value(self, node: ast.expr) -> Any:
        result = self._value(node)
        if isinstance(result, torch.Tensor) and result.numel() > MAX_ELEMENTS:
            raise Unsafe(f"a tensor of {result.numel()} elements is too large for an example")
        return result

    def _value(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant) and isinstance(
            node.value, (int, float, complex, str, bool, type(None))
        ):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.value(item) for item in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else +operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self._binary(node)
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            raise Unsafe(f"the name {node.id!r} has no known value here")
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise Unsafe(f"{ast.unparse(node)!r} is not a literal, arithmetic or an allowed call")

    def _binary(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(node.op, ast.Pow) and isinstance(right, (int, float)) and abs(right) > 64:
            raise Unsafe("a power above 64 is not evaluated")
        if isinstance(node.op, ast.Mult) and isinstance(left, (list, str, tuple)):
            raise Unsafe("repeating a sequence is not evaluated")
        try:
            return _BINARY[type(node.op)](left, right)
        except (ArithmeticError, TypeError, ValueError, RuntimeError) as error:
            raise Unsafe(f"{ast.unparse(node)!r} raised {error}") from error

    def _attribute(self, node: ast.Attribute) -> Any:
        base = node.value
        if isinstance(base, ast.Name) and base.id in self.torch_names and node.attr in _DTYPES:
            return _DTYPES[node.attr]
        if isinstance(base, ast.Name) and base.id == "math" and node.attr in _MATH:
            return _MATH[node.attr]
        owner = self.value(base)
        if isinstance(owner, torch.Tensor) and node.attr in ("shape", "dtype", "T", "ndim"):
            return getattr(owner, node.attr)
        raise Unsafe(f"the attribute {ast.unparse(node)!r} is not evaluated")

    def _call(self, node: ast.Call) -> Any:
        args = [self.value(arg) for arg in node.args if not isinstance(arg, ast.Starred)]
        if len(args) != len(node.args) or any(k.arg is None for k in node.keywords):
            raise Unsafe("*args and **kwargs are not evaluated")
        kwargs = {k.arg: self.value(k.value) for k in node.keywords if k.arg}
        kwargs.pop("requires_grad", None)  # the example's value is what matters
        function = self._function(node.func)
        try:
            return function(*args, **kwargs)
        except (ArithmeticError, TypeError, ValueError, RuntimeError, IndexError) as error:
            raise Unsafe(f"{ast.unparse(node)!r} raised {error}") from error

    def _function(self, func: ast.expr) -> Callable[..., Any]:
        if isinstance(func, ast.Name) and func.id in _BUILTINS:
            return _BUILTINS[func.id]
        if isinstance(func, ast.Attribute):
            base = func.value
            if isinstance(base, ast.Name) and base.id in self.torch_names:
                if func.attr in _TORCH_FUNCTIONS:
                    return _sized(func.attr, getattr(torch, func.attr))
                raise Unsafe(f"torch.{func.attr} is not among the calls an example may make")
            if isinstance(base, ast.Name) and base.id == "math" and func.attr in _MATH:
                return _MATH[func.attr]  # type: ignore[return-value]
            owner = self.value(base)
            if isinstance(owner, torch.Tensor) and func.attr in _TENSOR_METHODS:
                method: Callable[..., Any] = getattr(owner, func.attr)
                return method
        raise Unsafe(f"the call {ast.unparse(func)}(...) is not evaluated")


def _sized(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a creation call that asks for a huge tensor before it is made."""

    def call(*args: Any, **kwargs: Any) -> Any:
        numbers = [a for a in args if isinstance(a, (int, float))]
        if name in ("arange", "linspace"):
            span = (
                numbers[-1] if name == "linspace" or len(numbers) < 2 else numbers[1] - numbers[0]
            )
            step = numbers[2] if name == "arange" and len(numbers) > 2 else 1
            count = abs(span / step) if step else math.inf
        else:
            shape = [n for a in args if isinstance(a, (tuple, list)) for n in a]
            count = (
                math.prod(abs(n) for n in numbers + shape if isinstance(n, int))
                if (name in ("zeros", "ones", "full", "eye"))
                else 0
            )
        if count > MAX_ELEMENTS:
            raise Unsafe(f"torch.{name} would make a tensor too large for an example")
        return function(*args, **kwargs)

    return call
