"""What can be known from a learner's code without running it: stubs, loops, imports, asserts.

Calls are judged at run time (rules.py); the syntax tree answers only what running cannot:
whether a function is still the template, whether it loops, what it imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

_LOOPS = {
    ast.For: "a for loop",
    ast.AsyncFor: "an async for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}
# Inside an exercise function, any use of the tensorlings package (but its check helper) is a
# way to reach the reference solutions: by import, or by finding their files on disk.
OWN_SOLUTIONS = ("tensorlings",)
ALLOWED_OWN = ("tensorlings.check",)
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def last_definitions(statements: Iterable[ast.stmt]) -> dict[str, FunctionNode]:
    """Each top-level function's last definition (also inside top-level if/try blocks)."""
    found: dict[str, FunctionNode] = {}

    def visit(nodes: Iterable[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, FunctionNode):
                found[node.name] = node
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = _as_function(target.id, node.value)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(statements)
    return found


def _as_function(name: str, lam: ast.Lambda) -> ast.FunctionDef:
    """`f = lambda x: ...` seen as `def f(x): return ...`, so the same rules apply to it."""
    function = ast.FunctionDef(
        name=name, args=lam.args, body=[ast.Return(lam.body)], decorator_list=[], returns=None
    )
    return ast.copy_location(function, lam)


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


def called_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def with_helpers(name: str, functions: dict[str, FunctionNode]) -> list[FunctionNode]:
    """The function and every function of the file it refers to, transitively."""
    seen: dict[str, FunctionNode] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in functions:
            continue
        seen[current] = functions[current]
        todo.extend(called_names(functions[current]) - seen.keys())
    return list(seen.values())


@dataclass(frozen=True)
class Finding:
    line: int
    what: str
    function: str


def loops(functions: Iterable[FunctionNode]) -> list[Finding]:
    found = []
    for function in functions:
        for node in ast.walk(function):
            for loop_type, words in _LOOPS.items():
                if isinstance(node, loop_type):
                    found.append(Finding(getattr(node, "lineno", 0), words, function.name))
    return sorted(found, key=lambda f: f.line)


def module_bindings(statements: Iterable[ast.AST]) -> dict[str, str]:
    """Names bound by imports to a dotted module or object path ('np' -> 'numpy')."""
    bound: dict[str, str] = {}
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        bound[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _dotted(node: ast.AST, bindings: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in bindings:
        return ".".join([bindings[node.id], *reversed(parts)])
    return None


dotted = _dotted  # for the source scan (source_scan.py)


def _under(path: str, module: str) -> bool:
    return path == module or path.startswith(module + ".")


def module_uses(
    functions: Iterable[FunctionNode], file_bindings: dict[str, str], modules: Iterable[str]
) -> list[Finding]:
    """Uses of any of `modules` inside the functions (through the file's or their own imports)."""
    modules = tuple(modules)
    found = []
    for function in functions:
        bindings = {**file_bindings, **module_bindings([function])}
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                targets = list(module_bindings([node]).values())
            elif isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
                dotted = _dotted(node, bindings)
                targets = [dotted] if dotted else []
            else:
                continue
            for target in targets:
                if any(_under(target, allowed) for allowed in ALLOWED_OWN):
                    continue
                hit = next((m for m in modules if _under(target, m)), None)
                if hit:
                    found.append(Finding(getattr(node, "lineno", 0), target, function.name))
    # One finding per line: `np.random.choice` is one use, not two.
    by_line: dict[int, Finding] = {}
    for finding in found:
        kept = by_line.get(finding.line)
        if kept is None or len(finding.what) > len(kept.what):
            by_line[finding.line] = finding
    return sorted(by_line.values(), key=lambda f: f.line)


def learner_asserts(function: FunctionNode) -> list[ast.Assert]:
    """The function's own asserts that test something (not `assert True`)."""
    return [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Assert) and not isinstance(node.test, ast.Constant)
    ]
