"""What can be known from a learner's code without running it: stubs, loops, imports, asserts.

Calls are judged at run time (rules.py); the file's record of facts (facts.py) answers only
what running cannot: whether a function is still the template, whether what an exercise name
is bound to loops, what it imports, which of its asserts can run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from tensorlings.checker import facts as facts_module
from tensorlings.checker import facts_reader
from tensorlings.checker.facts import Facts, FunctionNode, Where

# Inside an exercise function, any use of the tensorlings package (but its check helper) is a
# way to reach the reference solutions: by import, or by finding their files on disk.
OWN_SOLUTIONS = ("tensorlings",)
ALLOWED_OWN = ("tensorlings.check",)
module_bindings = facts_module.module_bindings
dotted = facts_module.dotted

__all__ = ["FunctionNode", "SourceFinding", "is_stub", "last_definitions", "loops", "module_uses"]


def last_definitions(statements: Iterable[ast.stmt]) -> dict[str, FunctionNode]:
    """Each top-level function's last definition (also inside top-level if/try blocks, and
    `f = lambda ...`), unless a later top-level binding of the name is not a function."""
    return facts_reader.build(list(statements)).functions


def _is_template_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass | ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstrings, "TODO" strings, `...`
    if isinstance(node, ast.Raise):
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(target, ast.Name) and target.id == "NotImplementedError"
    if isinstance(node, ast.Return):
        return node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        )
    return False


def _dump(nodes: Iterable[ast.stmt]) -> list[str]:
    return [ast.dump(node, annotate_fields=False) for node in nodes]


def is_stub(function: FunctionNode, starter: str | None = None) -> bool:
    """True when the body is nothing but the template (docstring, pass, asserts, raise)."""
    if starter is not None:  # asserts are part of the work when the template has code
        body = [n for n in function.body if not _is_docstring_or_pass(n)]
        return _dump(body) == _dump(ast.parse(starter).body)
    return all(_is_template_statement(node) for node in function.body)


def _is_docstring_or_pass(node: ast.stmt) -> bool:
    return isinstance(node, ast.Pass) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    )


@dataclass(frozen=True)
class SourceFinding:
    line: int
    what: str
    function: str


def loops(facts: Facts, name: str) -> list[SourceFinding]:
    """Every reachable loop, in any spelling, in what `name` is bound to and all it reaches
    (helpers, nested functions, lambdas, classes), and recursion."""
    pieces = facts.reach(name)
    reached = {id(piece) for piece in pieces}
    found = [
        SourceFinding(loop.where.line, loop.what, loop.where.owner.label)
        for loop in facts.loops
        if loop.where.owner is not None and id(loop.where.owner) in reached and loop.where.reachable
    ]
    found += [
        SourceFinding(getattr(p.node, "lineno", 0), "recursion (a loop by calls)", p.label)
        for p in pieces
        if p.function is not None and facts.recursive(p)
    ]
    return sorted(found, key=lambda f: f.line)


def _under(path: str, module: str) -> bool:
    return path == module or path.startswith(module + ".")


def module_uses(
    facts: Facts, name: str, modules: Iterable[str], at_load: bool = False
) -> list[SourceFinding]:
    """Uses of any of `modules` inside the function bodies that what `name` is bound to
    reaches (through the file's or their own imports); with `at_load`, in the top-level
    bindings it reaches too (`_I = sympy.eye(64)` read by the function)."""
    modules = tuple(modules)
    reached = {id(piece) for piece in facts.reach(name)}
    found = []
    for where, target in _body_uses(facts, at_load):
        if where.owner is None or id(where.owner) not in reached:
            continue
        if any(_under(target, allowed) for allowed in ALLOWED_OWN):
            continue
        if any(_under(target, m) for m in modules):
            found.append(SourceFinding(where.line, target, where.owner.label))
    # One finding per line: `np.random.choice` is one use, not two.
    by_line: dict[int, SourceFinding] = {}
    for finding in found:
        kept = by_line.get(finding.line)
        if kept is None or len(finding.what) > len(kept.what):
            by_line[finding.line] = finding
    return sorted(by_line.values(), key=lambda f: f.line)


def _body_uses(facts: Facts, at_load: bool = False) -> list[tuple[Where, str]]:
    """Imports and module paths read inside function bodies, and with `at_load` in the
    top-level bindings too (once per record)."""
    key = "bound_uses" if at_load else "body_uses"
    found = facts.memo.get(key)
    if not isinstance(found, list):
        uses = [(i.where, i.module) for i in facts.imports] + [
            (a.where, a.path) for a in facts.accesses if a.path is not None and not a.store
        ]
        found = facts.memo[key] = [
            (where, path)
            for where, path in uses
            if where.owner is not None and (at_load or not where.at_load)
        ]
    return found


def learner_asserts(facts: Facts, function: ast.AST) -> list[ast.Assert]:
    """The function's own reachable asserts that test something (not `assert True`, not one
    after a `return` that can never run)."""
    return [
        node
        for node, where in facts.asserts
        if where.function is function
        and where.reachable
        and not isinstance(node.test, ast.Constant)
    ]
