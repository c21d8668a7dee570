"""The one walk over a file's syntax tree that fills its record of facts (facts.py), and the
caches that build each record once (`of_source`, `of_workbook`)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from tensorlings.checker import policy
from tensorlings.checker.facts import (
    Access,
    Definition,
    Facts,
    Import,
    Loop,
    NotRun,
    Piece,
    Text,
    Where,
    as_function,
    dotted,
    import_aliases,
)

if TYPE_CHECKING:
    from tensorlings.checker.source import Workbook

_LOOPS = {
    ast.For: "a for loop",
    ast.AsyncFor: "an async for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}
# Calls that run Python once per element: loops in all but spelling.
_ITERATING_CALLS = {
    "functools.reduce": "functools.reduce over elements",
    "builtins.map": "map over elements",
    "builtins.filter": "filter over elements",
    "numpy.vectorize": "numpy.vectorize (a Python loop)",
    "numpy.frompyfunc": "numpy.frompyfunc (a Python loop)",
    "numpy.apply_along_axis": "numpy.apply_along_axis (a Python loop)",
    "numpy.apply_over_axes": "numpy.apply_over_axes (a Python loop)",
}
_ENDS_BLOCK = (ast.Return, ast.Raise, ast.Break, ast.Continue)
_BUILTIN_CALLS = frozenset({"map", "filter"})
# Tensor methods that call a Python function once per element.
_PER_ELEMENT_METHODS = {
    "apply_": "Tensor.apply_ (a Python call per element)",
    "map_": "Tensor.map_ (a Python call per element)",
    "map2_": "Tensor.map2_ (a Python call per element)",
}
# Keywords that hand Python a function it calls back once per element or per value parsed
# (sorted/list.sort/heapq key=, json's parse_float and hooks).
_CALLBACK_KEYWORDS = frozenset(
    {"key", "parse_float", "parse_int", "parse_constant", "object_hook", "object_pairs_hook"}
)
# re.sub(pattern, function, text) calls the function once per match.
_PER_MATCH_METHODS = frozenset({"sub", "subn"})


def read(facts: Facts, statements: Sequence[ast.stmt]) -> None:
    _Reader(facts).top(statements, conditional=False)


class _Reader:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.order = 0
        self.called: dict[int, ast.Call] = {}
        self.receivers: set[int] = set()
        self.members: set[int] = set()
        self.globals: dict[int, set[str]] = {}
        self.scopes: list[set[str]] = []  # local names of the functions around the reader
        self.top_line = 0  # the line of the top-level statement being read

    # --- top level: which statement binds which name ------------------------------------

    def top(self, statements: Sequence[ast.stmt], conditional: bool) -> None:
        reachable = True
        for statement in statements:
            self.order += 1
            self.statement(statement, conditional, reachable)
            if isinstance(statement, _ENDS_BLOCK):
                reachable = False

    def statement(self, node: ast.stmt, conditional: bool, reachable: bool) -> None:
        where = Where(node.lineno, None, True, False, reachable, None)
        if not conditional:
            self.top_line = node.lineno
        not_run = self.not_run(node) if node.lineno != self.top_line or not conditional else None
        if not_run is not None:
            # Skipped whole by the loader (check.py), so nothing in it runs or is judged: a
            # Colab setup block or a `pip install` spelled as a call is no false alarm, and
            # no forged condition can make the refused code inside it run. (A statement on
            # its block's first line would take the whole top-level statement with it.)
            self.facts.not_run[node.lineno] = not_run
        elif self.colab_else(node):
            self.visit(node.test, where)  # type: ignore[attr-defined]
            self.top(node.orelse, conditional=True)  # type: ignore[attr-defined]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            function = node if not isinstance(node, ast.ClassDef) else None
            piece = self.piece((node.name,), node, conditional, function)
            self.visit(node, replace(where, owner=piece))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            # One binding per name: `import os, inspect` is judged where each name is used.
            for path, name in _imported(node):
                owner = self.piece((name,), node, conditional) if name != "*" else None
                self.facts.imports.append(Import(path, replace(where, owner=owner)))
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value:
            self.assignment(node, where, conditional)
        elif isinstance(node, ast.If | ast.Try | ast.TryStar | ast.While):
            self.compound(node, where)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.With | ast.AsyncWith):
            names = _stored_names(node.target if isinstance(node, ast.For) else node)
            target = self.piece(names, node, True) if names else None
            self.add_loop(node, where)
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, ast.stmt):
                    self.visit(child, replace(where, owner=target))
            self.top(node.body, conditional=True)
            self.top(getattr(node, "orelse", []), conditional=True)
        else:
            self.visit(node, where)

    def assignment(
        self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, where: Where, conditional: bool
    ) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = tuple(n for target in targets for n in _stored_names(target))
        value = node.value
        function = None
        if isinstance(value, ast.Lambda) and len(names) == 1:
            function = as_function(names[0], value)
        piece = self.piece(names, value or node, conditional, function)
        if isinstance(node, ast.AugAssign):
            piece.refs |= {(name, False) for name in names}
        self.note_texts(targets, value)
        for target in targets:
            self.visit(target, where)
        self.visit(value, replace(where, owner=piece))  # type: ignore[arg-type]

    def on_Assign(self, node: ast.Assign, where: Where) -> None:
        self.note_texts(node.targets, node.value)
        self.children(node, where)

    def note_texts(self, targets: Sequence[ast.expr], value: ast.expr | None) -> None:
        text = value.value if isinstance(value, ast.Constant) else None
        for name in (n for target in targets for n in _stored_names(target)):
            kept = text if isinstance(text, str) and len(targets) == 1 else None
            self.facts.texts_bound.setdefault(name, []).append(kept)

    def compound(self, node: ast.If | ast.Try | ast.TryStar | ast.While, where: Where) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.visit(child, where)
        if isinstance(node, ast.While):
            self.add_loop(node, where)
        self.top(node.body, conditional=True)
        self.top(node.orelse, conditional=True)
        for handler in getattr(node, "handlers", []):
            if handler.type is not None:
                self.visit(handler.type, where)
            self.top(handler.body, conditional=True)
        self.top(getattr(node, "finalbody", []), conditional=True)

    def piece(
        self,
        names: tuple[str, ...],
        node: ast.AST,
        conditional: bool,
        function: ast.FunctionDef | ast.AsyncFunctionDef | None = None,
    ) -> Piece:
        piece = Piece(names, node, self.order, conditional, function)
        self.facts.pieces.append(piece)
        for name in names:
            self.facts.by_name.setdefault(name, []).append(piece)
        return piece

    # --- everything inside a statement ----------------------------------------------------

    def visit(self, node: ast.AST, where: Where) -> None:
        line = getattr(node, "lineno", None)
        if line is not None and line != where.line:
            where = replace(where, line=line)
        handler = getattr(self, "on_" + type(node).__name__, None)
        if handler is not None:
            handler(node, where)
        else:
            self.children(node, where)

    def children(self, node: ast.AST, where: Where) -> None:
        for _field, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self.block(value, where)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, where)
            elif isinstance(value, ast.AST):
                self.visit(value, where)

    def block(self, statements: list[ast.stmt], where: Where) -> None:
        reachable = where.reachable
        for statement in statements:
            self.visit(statement, replace(where, reachable=reachable))
            if isinstance(statement, _ENDS_BLOCK):
                reachable = False

    def on_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, where: Where) -> None:
        self.define(node, node.name, where)
        for decorator in node.decorator_list:
            self.visit(decorator, where)
        self.visit(node.args, where)
        if node.returns is not None:
            self.visit(node.returns, where)
        self.facts.assigned[id(node)] = set()
        self.scopes.append(_locals(node))
        self.block(node.body, replace(where, at_load=False, function=node, in_assert=False))
        self.scopes.pop()

    on_AsyncFunctionDef = on_FunctionDef

    def on_Global(self, node: ast.Global, where: Where) -> None:
        # Python requires the declaration before any use, so it is read before the writes.
        if where.function is not None:
            self.globals.setdefault(id(where.function), set()).update(node.names)

    def on_Lambda(self, node: ast.Lambda, where: Where) -> None:
        self.define(node, "<lambda>", where)
        self.visit(node.args, where)
        self.facts.assigned[id(node)] = set()
        self.scopes.append(_locals(node))
        self.visit(node.body, replace(where, at_load=False, function=node))
        self.scopes.pop()

    def on_ClassDef(self, node: ast.ClassDef, where: Where) -> None:
        self.define(node, node.name, where)
        for decorator in node.decorator_list:
            self.visit(decorator, where)
        for base in (*node.bases, *node.keywords):  # judged with the class, where it is used
            self.visit(base, replace(where, at_load=False))
        self.block(node.body, where)  # a class body runs when its statement runs

    def define(self, node: ast.AST, name: str, where: Where) -> None:
        self.facts.definitions.append(Definition(node, name, where))

    def on_Assert(self, node: ast.Assert, where: Where) -> None:
        self.facts.asserts.append((node, where))
        self.children(node, replace(where, in_assert=True))

    def on_Call(self, node: ast.Call, where: Where) -> None:
        self.called[id(node.func)] = node
        path = self.path_of(node.func)
        if isinstance(node.func, ast.Name) and node.func.id in _BUILTIN_CALLS:
            path = path or f"builtins.{node.func.id}"
        if path is not None and (path in _ITERATING_CALLS or path.startswith("itertools.")):
            what = _ITERATING_CALLS.get(path, f"{path} over elements")
            self.facts.loops.append(Loop(what, where))
        hidden = _hidden_iteration(node)
        if hidden is not None:
            self.facts.loops.append(Loop(hidden, where))
        self.children(node, where)

    def on_Compare(self, node: ast.Compare, where: Where) -> None:
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                self.members.add(id(right))
        self.children(node, where)

    def on_Attribute(self, node: ast.Attribute, where: Where) -> None:
        self.receivers.add(id(node.value))
        self.access(node, where)
        self.visit(node.value, where)

    def on_Name(self, node: ast.Name, where: Where) -> None:
        self.access(node, where)
        if isinstance(node.ctx, ast.Load):
            self.read_name(node.id, where)
            called = id(node) in self.called and not self.local(node.id)
            if called and where.owner is not None and not where.at_load:
                where.owner.called.add(node.id)
        elif where.function is not None:
            self.facts.assigned.setdefault(id(where.function), set()).add(node.id)
            self.global_write(node.id, where)

    def read_name(self, name: str, where: Where) -> None:
        # A body may read a name bound further down the file; a local name is not a global.
        if where.owner is not None and not self.local(name):
            where.owner.refs.add((name, not where.at_load))

    def local(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)

    def global_write(self, name: str, where: Where) -> None:
        function, owner = where.function, where.owner
        if (
            function is not None
            and owner is not None
            and name in self.globals.get(id(function), ())
        ):
            self.facts.rebinders.setdefault(name, []).append(owner)

    def access(self, node: ast.Name | ast.Attribute, where: Where) -> None:
        self.facts.accesses.append(
            Access(
                node,
                where,
                self.path_of(node),
                self.called.get(id(node)),
                id(node) not in self.receivers,
                id(node) in self.members,
            )
        )

    def on_Import(self, node: ast.Import | ast.ImportFrom, where: Where) -> None:
        for path, _name in _imported(node):
            self.facts.imports.append(Import(path, where))

    on_ImportFrom = on_Import

    def on_Constant(self, node: ast.Constant, where: Where) -> None:
        if isinstance(node.value, str):
            self.facts.texts.append(Text(node.value, where))

    def on_For(self, node: ast.AST, where: Where) -> None:
        self.add_loop(node, where)
        self.children(node, where)

    on_AsyncFor = on_While = on_For

    def on_ListComp(self, node: ast.ListComp, where: Where) -> None:
        self.add_loop(node, where)
        self.scopes.append({n for g in node.generators for n in _stored_names(g.target)})
        self.children(node, where)
        self.scopes.pop()

    on_SetComp = on_DictComp = on_GeneratorExp = on_ListComp

    def add_loop(self, node: ast.AST, where: Where) -> None:
        for loop_type, words in _LOOPS.items():
            if isinstance(node, loop_type):
                self.facts.loops.append(Loop(words, where))

    def path_of(self, node: ast.AST) -> str | None:
        return dotted(node, self.facts.aliases)

    def colab_else(self, node: ast.stmt) -> bool:
        """`if IN_COLAB: ... else: ...`: the Colab branch is skipped statement by statement,
        and only the else branch is read (and run)."""
        if not (isinstance(node, ast.If) and node.orelse and _colab_test(node.test)):
            return False
        if any(statement.lineno == self.top_line for statement in node.body):
            return False  # `if IN_COLAB: x` on one line: judged whole
        for statement in node.body:
            self.facts.not_run[statement.lineno] = NotRun.COLAB_BLOCK
        return True

    def not_run(self, node: ast.stmt) -> NotRun | None:
        if isinstance(node, ast.If) and not node.orelse and _colab_test(node.test):
            return NotRun.COLAB_BLOCK
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and self.path_of(call.func) in policy.SHELL_CALLS:
            return NotRun.SHELL_COMMAND
        return None


def _colab_test(test: ast.expr) -> bool:
    """A test that holds only on Colab: a name that says colab (`IN_COLAB`), a text naming
    colab looked up with `in` (`"google.colab" in sys.modules`, `"COLAB_GPU" in os.environ`),
    or an `and` with such a part."""
    if isinstance(test, ast.Name):
        return "colab" in test.id.lower()
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_colab_test(value) for value in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        left = test.left
        return isinstance(left, ast.Constant) and "colab" in str(left.value).lower()
    return False


def _stored_names(node: ast.AST) -> tuple[str, ...]:
    return tuple(
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    )


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """The names local to a function: its parameters and what it binds, less its globals.
    (Names bound only in nested functions count too: a slight over-reach that never reads a
    global as local where the function itself assigns nothing.)"""
    arguments = function.args
    names = {
        a.arg
        for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                  arguments.vararg, arguments.kwarg)
        if a is not None
    }  # fmt: skip
    if isinstance(function, ast.Lambda):
        return names
    declared: set[str] = set()
    for node in ast.walk(ast.Module(body=function.body, type_ignores=[])):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
    return names - declared


def _imported(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(dotted path, name bound) of each alias; a star import binds '*'. Relative imports
    name nothing the grader has."""
    if isinstance(node, ast.Import):
        return [(a.name, a.asname or a.name.split(".")[0]) for a in node.names]
    if node.module is None or node.level:
        return []
    return [
        (node.module if a.name == "*" else f"{node.module}.{a.name}", a.asname or a.name)
        for a in node.names
    ]


def _hidden_iteration(node: ast.Call) -> str | None:
    """A call that runs Python per element or recurses, under another spelling than a loop."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _PER_ELEMENT_METHODS:
        return _PER_ELEMENT_METHODS[func.attr]
    callee = ast.unparse(func)
    keyword = next((k.arg for k in node.keywords if k.arg in _CALLBACK_KEYWORDS), None)
    if keyword is not None:
        return f"{callee}({keyword}=...) (Python calls it back once per element)"
    per_match = isinstance(func, ast.Attribute) and func.attr in _PER_MATCH_METHODS
    if per_match and any(isinstance(a, ast.Lambda) for a in node.args):
        return f"{callee}(..., a function, ...) (called once per match)"
    # f(f, ...): a function handed itself calls itself, recursion without its name.
    itself = isinstance(func, ast.Name) and any(
        isinstance(a, ast.Name) and a.id == func.id for a in node.args
    )
    return f"{callee}({callee}, ...) (recursion by self-application)" if itself else None


def build(statements: Sequence[ast.stmt]) -> Facts:
    facts = Facts(aliases=import_aliases(statements))
    read(facts, statements)
    return facts


@functools.lru_cache(maxsize=32)
def of_source(text: str) -> Facts:
    """The record of a file's text (cached: built once per file per checker process)."""
    return build(ast.parse(text).body)


_BY_TEXT: dict[object, Facts] = {}


def of_statements(key: object, statements: Sequence[ast.stmt]) -> Facts:
    """The record of already parsed statements (a workbook's cells), cached by its text."""
    found = _BY_TEXT.get(key)
    if found is None:
        if len(_BY_TEXT) > 32:
            _BY_TEXT.clear()
        found = _BY_TEXT[key] = build(statements)
    return found


def of_workbook(workbook: Workbook) -> Facts:
    """The record of a workbook, built once per checker process for the same cells."""
    key = (workbook.kind, tuple((cell.line, cell.code) for cell in workbook.cells))
    return of_statements(key, workbook.definitions())
