"""Turn the asserts under each stub into examples: `assert f(x) == y`,
`assert_all_equal(f(x), y)`, `assert_all_close(f(x), y, rtol=..., atol=...)`,
`torch.testing.assert_close`, `torch.allclose`/`torch.equal`, loops over cases, and the sheet's
own test helpers called with a stub (`test_relu(my_relu)`). Arguments are evaluated by
`safe_eval`, never run."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field
from typing import Any

import torch

from tensorlings.importing.safe_eval import Unsafe, evaluate
from tensorlings.importing.stubs import Sheet

# torch's own defaults, used when the sheet calls these without tolerances.
_ALLCLOSE = (1e-5, 1e-8)
_ASSERT_CLOSE = (1.3e-6, 1e-5)
_MAX_CASES = 50  # a loop over more cases than this is not a list of examples
_MAX_DEPTH = 3  # helpers calling helpers


class Comparison(enum.Enum):
    EXACT = "exact"
    CLOSE = "close"


@dataclass(frozen=True)
class FoundExample:
    args: tuple[Any, ...]
    expected: Any
    comparison: Comparison
    rtol: float
    atol: float
    source: str
    grad: bool  # an argument was made with requires_grad=True


@dataclass(frozen=True)
class FoundSampling:
    """A stub whose result is only checked through counts (`bincount(f(probs, n)) / n`)."""

    args: tuple[Any, ...]
    source: str


@dataclass
class Findings:
    examples: dict[str, list[FoundExample]] = field(default_factory=dict)
    sampling: dict[str, FoundSampling] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def note(self, stub: str, text: str) -> None:
        if text not in self.notes.setdefault(stub, []):
            self.notes[stub].append(text)


@dataclass(frozen=True)
class _Call:
    stub: str
    args: tuple[Any, ...] | None  # None when an argument could not be evaluated
    why: str
    grad: bool


def find_examples(sheet: Sheet) -> Findings:
    walker = _Walker(sheet)
    walker.run([s.node for s in sheet.statements], {}, {}, 0)
    return walker.findings


class _Walker:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.stubs = {stub.id for stub in sheet.stubs}
        self.findings = Findings()
        self.env: dict[str, Any] = {}
        self.calls: dict[str, _Call] = {}
        self.wrapped: dict[str, tuple[_Call, str]] = {}
        self.grad_names: set[str] = set()

    def run(
        self, nodes: list[ast.stmt], env: dict[str, Any], aliases: dict[str, str], depth: int
    ) -> None:
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                self._assign(node.targets[0], node.value, env, aliases)
            elif isinstance(node, ast.Assert):
                self._assert(node.test, node, env, aliases)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                self._call_statement(node.value, node, env, aliases, depth)
            elif isinstance(node, ast.For):
                self._loop(node, env, aliases, depth)

    def _scope(self, env: dict[str, Any]) -> dict[str, Any]:
        return {**self.env, **env}

    def _assign(
        self, target: ast.expr, value: ast.expr, env: dict[str, Any], aliases: dict[str, str]
    ) -> None:
        if not isinstance(target, ast.Name):
            return
        name = target.id
        store = env if env else self.env
        store.pop(name, None)
        self.calls.pop(name, None)
        self.wrapped.pop(name, None)
        self.grad_names.discard(name)
        if _requires_grad(value):
            self.grad_names.add(name)
        call = self._stub_call(value, env, aliases)
        if call is not None:
            self.calls[name] = call
            return
        inner = self._inner_call(value, env, aliases)
        if inner is not None:
            self.wrapped[name] = (inner, ast.unparse(value))
            return
        try:
            store[name] = evaluate(value, self._scope(env), self.sheet.torch_names)
        except (Unsafe, RecursionError):
            pass

    def _stub_call(
        self, node: ast.expr, env: dict[str, Any], aliases: dict[str, str]
    ) -> _Call | None:
        node = _unwrapped(node)
        if isinstance(node, ast.Name) and node.id in self.calls:
            return self.calls[node.id]
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return None
        stub = aliases.get(node.func.id, node.func.id)
        if stub not in self.stubs:
            return None
        grad = any(
            _requires_grad(a) or (isinstance(a, ast.Name) and a.id in self.grad_names)
            for a in node.args
        )
        try:
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise Unsafe("keyword or starred arguments")
            args = tuple(evaluate(a, self._scope(env), self.sheet.torch_names) for a in node.args)
        except (Unsafe, RecursionError) as error:
            return _Call(stub, None, str(error), grad)
        return _Call(stub, args, "", grad)

    def _inner_call(
        self, node: ast.expr, env: dict[str, Any], aliases: dict[str, str]
    ) -> _Call | None:
        for child in ast.walk(node):
            if child is not node and isinstance(child, (ast.Call, ast.Name)):
                call = self._stub_call(child, env, aliases)
                if call is not None:
                    return call
        return None

    def _assert(
        self, test: ast.expr, node: ast.stmt, env: dict[str, Any], aliases: dict[str, str]
    ) -> None:
        test = _all_of(test)
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            self._compare(
                test.left, test.comparators[0], Comparison.EXACT, (0.0, 0.0), node, env, aliases
            )
        elif isinstance(test, ast.Call) and len(test.args) >= 2:
            name = ast.unparse(test.func).rsplit(".", 1)[-1]
            if name in ("allclose", "equal"):
                close = name == "allclose"
                tol = _tolerances(test, None, _ALLCLOSE) if close else (0.0, 0.0)
                how = Comparison.CLOSE if close else Comparison.EXACT
                self._compare(test.args[0], test.args[1], how, tol, node, env, aliases)
        else:
            self._unused(test, node, env, aliases, "a property, not an example")

    def _call_statement(
        self,
        call: ast.Call,
        node: ast.stmt,
        env: dict[str, Any],
        aliases: dict[str, str],
        depth: int,
    ) -> None:
        name = ast.unparse(call.func)
        short = name.rsplit(".", 1)[-1]
        helper = self.sheet.helpers.get(name)
        if "assert" in short.lower() and len(call.args) >= 2:
            exact = "equal" in short.lower()
            defaults = _ASSERT_CLOSE if short == "assert_close" else _ALLCLOSE
            tol = (0.0, 0.0) if exact else _tolerances(call, helper, defaults)
            how = Comparison.EXACT if exact else Comparison.CLOSE
            self._compare(call.args[0], call.args[1], how, tol, node, env, aliases)
        elif helper is not None and depth < _MAX_DEPTH:
            self._inline(helper, call, env, aliases, depth)

    def _inline(
        self,
        helper: ast.FunctionDef,
        call: ast.Call,
        env: dict[str, Any],
        aliases: dict[str, str],
        depth: int,
    ) -> None:
        """Run the checks of a test helper that is handed a stub: `test_relu(my_relu)`."""
        inner_aliases = dict(aliases)
        local: dict[str, Any] = dict(env) or {"__local__": True}
        for param, arg in zip(helper.args.args, call.args, strict=False):
            if isinstance(arg, ast.Name) and aliases.get(arg.id, arg.id) in self.stubs:
                inner_aliases[param.arg] = aliases.get(arg.id, arg.id)
        if inner_aliases != aliases:
            self.run(helper.body, local, inner_aliases, depth + 1)

    def _loop(
        self, node: ast.For, env: dict[str, Any], aliases: dict[str, str], depth: int
    ) -> None:
        try:
            items = evaluate(node.iter, self._scope(env), self.sheet.torch_names)
        except (Unsafe, RecursionError):
            self._unused(node.iter, node, env, aliases, "a loop over values that are not evaluated")
            return
        if not isinstance(items, (list, tuple, range)) or len(items) > _MAX_CASES:
            return
        for item in items:
            local = dict(env) or {"__local__": True}
            if _bind(node.target, item, local):
                self.run(node.body, local, aliases, depth)

    def _compare(
        self,
        actual: ast.expr,
        expected: ast.expr,
        how: Comparison,
        tol: tuple[float, float],
        node: ast.stmt,
        env: dict[str, Any],
        aliases: dict[str, str],
    ) -> None:
        call = self._stub_call(actual, env, aliases)
        if call is None and self._stub_call(expected, env, aliases) is not None:
            call = self._stub_call(expected, env, aliases)
            actual, expected = expected, actual
        source = ast.unparse(node)
        if call is None:
            self._sampling_or_unused(actual, expected, node, env, aliases)
            return
        if self._stub_call(expected, env, aliases) is not None:
            self.findings.note(
                call.stub, f"skipped `{_short(source)}`: it compares two calls (a property)"
            )
            return
        if call.args is None:
            self.findings.note(call.stub, f"skipped `{_short(source)}`: {call.why}")
            return
        try:
            value = evaluate(expected, self._scope(env), self.sheet.torch_names)
        except (Unsafe, RecursionError) as error:
            self.findings.note(call.stub, f"skipped `{_short(source)}`: {error}")
            return
        found = FoundExample(call.args, value, how, tol[0], tol[1], source, call.grad)
        self.findings.examples.setdefault(call.stub, []).append(found)

    def _sampling_or_unused(
        self,
        actual: ast.expr,
        expected: ast.expr,
        node: ast.stmt,
        env: dict[str, Any],
        aliases: dict[str, str],
    ) -> None:
        wrapped = self.wrapped.get(actual.id) if isinstance(actual, ast.Name) else None
        inner = wrapped[0] if wrapped else self._inner_call(actual, env, aliases)
        if inner is None:
            return
        text = wrapped[1] if wrapped else ast.unparse(actual)
        if "bincount" in text and inner.args is not None:
            self.findings.sampling.setdefault(
                inner.stub, FoundSampling(inner.args, ast.unparse(node))
            )
        else:
            self.findings.note(
                inner.stub, f"skipped `{_short(ast.unparse(node))}`: it checks a transformed result"
            )

    def _unused(
        self, test: ast.expr, node: ast.stmt, env: dict[str, Any], aliases: dict[str, str], why: str
    ) -> None:
        inner = self._inner_call(test, env, aliases) or self._stub_call(test, env, aliases)
        if inner is None:
            for child in ast.walk(test):
                if isinstance(child, ast.Name) and child.id in self.calls:
                    inner = self.calls[child.id]
                    break
        if inner is not None:
            self.findings.note(inner.stub, f"skipped `{_short(ast.unparse(node))}`: {why}")


def _all_of(test: ast.expr) -> ast.expr:
    """`(f(x) == y).all()` and `torch.all(f(x) == y)` assert the comparison inside."""
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "all"
    ):
        inner = test.args[0] if len(test.args) == 1 and not test.keywords else test.func.value
        if not test.args or isinstance(test.func.value, ast.Name):
            return inner
    return test


def _unwrapped(node: ast.expr) -> ast.expr:
    """`f(x).tolist()` and `f(x).item()` compare f's result as plain numbers: the call is f(x)."""
    if (
        isinstance(node, ast.Call)
        and not node.args
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("tolist", "item")
    ):
        return node.func.value
    return node


def _bind(target: ast.expr, item: Any, env: dict[str, Any]) -> bool:
    if isinstance(target, ast.Name):
        env[target.id] = item
        return True
    if (
        isinstance(target, ast.Tuple)
        and isinstance(item, (tuple, list))
        and len(item) == len(target.elts)
    ):
        return all(_bind(t, v, env) for t, v in zip(target.elts, item, strict=True))
    return False


def _requires_grad(node: ast.expr) -> bool:
    return any(isinstance(k, ast.keyword) and k.arg == "requires_grad" for k in ast.walk(node))


def _tolerances(
    call: ast.Call, helper: ast.FunctionDef | None, defaults: tuple[float, float]
) -> tuple[float, float]:
    """rtol and atol: the call's keywords, else its positional arguments where the helper's
    signature puts them, else the helper's defaults, else torch's."""
    values = {"rtol": defaults[0], "atol": defaults[1]}
    if helper is not None:
        params = helper.args.args
        for param, default in zip(
            params[len(params) - len(helper.args.defaults) :], helper.args.defaults, strict=True
        ):
            if (
                param.arg in values
                and isinstance(default, ast.Constant)
                and isinstance(default.value, (int, float))
            ):
                values[param.arg] = float(default.value)
        for param, arg in zip(params, call.args, strict=False):
            if (
                param.arg in values
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, (int, float))
            ):
                values[param.arg] = float(arg.value)
    for keyword in call.keywords:
        number = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
        if keyword.arg in values and isinstance(number, (int, float)):
            values[keyword.arg] = float(number)
    return values["rtol"], values["atol"]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 90 else text[:87] + "..."


def example_dtype(value: Any) -> torch.dtype | None:
    return value.dtype if isinstance(value, torch.Tensor) else None
