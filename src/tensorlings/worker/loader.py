"""Load a learner's file the way a notebook runs it, then build the namespace to judge it in.

Pass one runs every top-level statement in order, each on its own: a statement that fails
(a missing course module, a failing assert, sys.exit) becomes a note and the rest go on.
Pass two builds a fresh namespace from the definitions alone (imports, functions, classes) plus
the top-level values that are not tensors, so a function that silently reads test data left
over from a notebook cell fails instead of passing by luck.
"""

from __future__ import annotations

import ast
import copy
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import torch

from tensorlings.worker import plain
from tensorlings.worker.audit import Tampering

_numel = torch._C.TensorBase.numel  # bound before learner code can replace Tensor.numel

DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class StatementTimeout(BaseException):
    """Raised inside a statement that ran past its time (a BaseException: `except Exception` in
    learner code cannot swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise StatementTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class LoadBudget:
    """How long loading may take: per statement, and all statements but definitions together.
    From `definitions_from` on (the checker's decision after earlier tries), only definitions
    run."""

    statement_seconds: float
    total_seconds: float
    definitions_from: int | None = None


@dataclass
class LoadResult:
    notes: list[dict[str, Any]] = field(default_factory=list)
    definitions_from: int | None = None  # where this load's own budget ran out
    judged: dict[str, Any] = field(default_factory=dict)  # namespace functions are judged in
    notebook: dict[str, Any] = field(default_factory=dict)  # namespace after running everything
    tensor_globals: dict[str, int] = field(default_factory=dict)  # name -> line of test data


def _is_definition(node: ast.stmt) -> bool:
    if isinstance(node, DEFINITIONS):
        return True
    if isinstance(node, ast.If | ast.Try):
        parts = node.body + node.orelse + getattr(node, "finalbody", [])
        for handler in getattr(node, "handlers", []):
            parts += handler.body
        return all(
            _is_definition(child) or isinstance(child, ast.Pass) or _is_constant_assignment(child)
            for child in parts
        )
    return False


def _assigned_names(node: ast.stmt) -> Iterator[str]:
    """Names a top-level statement assigns, also inside its blocks (`if IN_COLAB: root = ...
    else: root = ...`), but not inside the functions and classes it defines."""
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    elif not isinstance(node, DEFINITIONS):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _assigned_names(child)
            elif isinstance(child, ast.ExceptHandler):
                for inner in child.body:
                    yield from _assigned_names(inner)


def _is_constant_assignment(node: ast.stmt) -> bool:
    """`HAVE_EINOPS = True` inside an import guard: part of the definitions."""
    return isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant | ast.Name)


def _holds_tensor(value: Any, depth: int = 0) -> bool:
    """Read by type alone (plain.py): loading is over, so nothing of the learner's may run."""
    kind = type(value)
    if plain.is_tensor_type(kind):
        return True
    if depth < 2 and (kind is list or kind is tuple):
        return any(_holds_tensor(item, depth + 1) for item in value[:100])
    if depth < 2 and kind is dict:
        return any(_holds_tensor(item, depth + 1) for item in list(dict.values(value))[:100])
    return kind is plain.numpy.ndarray


def _constant(name: str, value: Any) -> bool:
    """A constant the functions may read, not test data: named in capitals (`ZERO`, `EPS`), or
    a single number held in a tensor (`zero = t.tensor(0.0)`)."""
    if name.isupper():
        return True
    if type(value) is not torch.Tensor:
        return False  # a subclass's size may be its own code: it counts as test data
    with torch._C.DisableTorchFunction():
        return bool(_numel(value) <= 1)


def _capped(text: str, cap: int = 300) -> str:
    return text if len(text) <= cap else text[: cap - 1] + "…"


def _describe(error: BaseException) -> tuple[str, str]:
    """A note for a failed statement, every part capped (names and messages can be huge)."""
    name = _capped(str(type(error).__name__), 100)
    try:
        text = _capped(repr(error.code) if isinstance(error, SystemExit) else str(error))
    except BaseException:  # a hostile __str__ or __repr__
        text = "(unreadable)"
    if isinstance(error, SystemExit):
        return "exited", f"the statement called sys.exit({text}); skipped"
    if isinstance(error, StatementTimeout):
        return "timeout", "the statement did not finish in time; skipped"
    if isinstance(error, Tampering):
        return "tampering", f"{text}; the statement was stopped there"
    if isinstance(error, ImportError | ModuleNotFoundError):
        return "import_error", f"{name}: {text}"
    return "exception", f"{name}: {text}" if text else name


def _statements(units: list[dict[str, Any]], filename: str) -> list[ast.stmt]:
    statements: list[ast.stmt] = []
    for unit in units:
        try:
            tree = ast.parse(unit["code"], filename=filename)
        except SyntaxError:
            continue  # the checker reported it already; nothing of this cell can run
        ast.increment_lineno(tree, unit["line"] - 1)
        statements.extend(tree.body)
    return statements


class _Skipper(ast.NodeTransformer):
    """Statements inside a top-level block that the checker skips (a shell command, the Colab
    branch of `if IN_COLAB: ... else: ...`) become `pass`; function and class bodies are kept."""

    def __init__(self, lines: set[int]) -> None:
        self.lines = lines

    def visit_FunctionDef(self, node: ast.AST) -> ast.AST:
        skipped = isinstance(node, ast.stmt) and node.lineno in self.lines
        return ast.copy_location(ast.Pass(), node) if skipped else node

    visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_FunctionDef

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.stmt) and node.lineno in self.lines:
            return ast.copy_location(ast.Pass(), node)
        return super().generic_visit(node)


def _without(node: ast.stmt, skip_lines: set[int]) -> ast.stmt:
    """The top-level statement with its skipped inner statements left out (a copy)."""
    if isinstance(node, DEFINITIONS):
        return node
    inner = [n for n in ast.walk(node) if isinstance(n, ast.stmt) and n is not node]
    if not any(n.lineno in skip_lines for n in inner):
        return node
    copied = copy.deepcopy(node)
    copied.body = [_Skipper(skip_lines).visit(n) for n in copied.body]  # type: ignore[attr-defined]
    for field_name in ("orelse", "finalbody", "handlers"):
        if hasattr(copied, field_name):
            kept = [_Skipper(skip_lines).visit(n) for n in getattr(copied, field_name)]
            setattr(copied, field_name, kept)
    return copied


def _run(
    node: ast.stmt,
    namespace: dict[str, Any],
    filename: str,
    guard: Callable[[], AbstractContextManager[None]],
) -> None:
    code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")
    with guard():  # the learner's code runs under the audit hook
        exec(code, namespace)


def _module_namespace(filename: str) -> dict[str, Any]:
    """A fresh module registered under the learner's module name, as a script's `__main__` is:
    the standard library looks a class's module up in sys.modules (`@dataclass` does, and
    fails on a name that is not there), so correct files that use it load. Importing it by
    name is refused by the allowlist (checker/policy.py, LEARNER_MODULE)."""
    module = types.ModuleType("__learner__")
    module.__file__ = filename
    sys.modules["__learner__"] = module
    return module.__dict__


def load(
    units: list[dict[str, Any]],
    filename: str,
    skip_lines: set[int],
    budget: LoadBudget,
    on_statement: Callable[[int, bool], None],
    guard: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> LoadResult:
    """Run the file notebook-style, then build the namespace its functions are judged in."""
    result = LoadResult()
    statements = [_without(node, skip_lines) for node in _statements(units, filename)]
    notebook = _module_namespace(filename)
    cut = budget.definitions_from
    started = time.monotonic()
    for node in statements:
        if node.lineno in skip_lines:
            continue
        if cut is None and time.monotonic() - started > budget.total_seconds:
            cut = result.definitions_from = node.lineno
            message = (
                f"the file's top-level statements took more than {budget.total_seconds:g} s "
                "in all: from here on only imports and definitions ran"
            )
            result.notes.append({"line": node.lineno, "kind": "timeout", "message": message})
        if cut is not None and node.lineno >= cut and not _is_definition(node):
            continue
        on_statement(node.lineno, False)
        try:
            with time_limit(budget.statement_seconds):
                _run(node, notebook, filename, guard)
        except BaseException as error:  # learner code may raise anything at all
            kind, message = _describe(error)
            result.notes.append({"line": node.lineno, "kind": kind, "message": message})
    result.notebook = notebook

    judged = _module_namespace(filename)
    assigned: dict[str, int] = {}
    for node in statements:
        if node.lineno in skip_lines:
            continue
        if _is_definition(node):
            on_statement(node.lineno, True)
            try:
                with time_limit(budget.statement_seconds):
                    _run(node, judged, filename, guard)
            except BaseException:  # already noted in the first pass
                pass
        # What a block assigns is taken from the first pass when its own run here did not
        # set it (`if IN_COLAB:` reads a name that is not a definition).
        for name in _assigned_names(node):
            assigned[name] = node.lineno
    for name, line in assigned.items():
        if name in judged or name not in notebook:
            continue
        if _holds_tensor(notebook[name]) and not _constant(name, notebook[name]):
            result.tensor_globals[name] = line
        else:
            judged[name] = notebook[name]
    result.judged = judged
    return result
