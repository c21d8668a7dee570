"""The import graph of tensorlings, drawn from the source with `ast`: every import, at module
level or inside a function (only `if TYPE_CHECKING:` blocks are left out, since they never run).

The layers below are the design; `tests/test_import_graph.py` fails on a circle of modules or on
an import that runs from a lower layer up to a higher one, and `docs/internals/imports.md` is
drawn from here (`python -m tensorlings.devtools regenerate`).

>>> layer_of("tensorlings.vocab"), layer_of("tensorlings.cli")
('foundation', 'command line')
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT_NAME = "tensorlings"

# Lowest first. A module belongs to the layer of the longest prefix that names it; a module may
# import from its own layer or any layer below, never from one above.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "tensorlings.version",
            "tensorlings.vocab",
            "tensorlings.errors",
            "tensorlings.messages",
            "tensorlings.json_schema",
            "tensorlings.fast_exit",
            "tensorlings.files",
        ),
    ),
    (
        "course model",
        (
            "tensorlings.exercise",
            "tensorlings.judges",
            "tensorlings.rule_apis",
            "tensorlings.questions",
            "tensorlings.exercise_ids",
            "tensorlings.catalogue",
            "tensorlings.exercises",
            "tensorlings.solutions",
            "tensorlings.workbook_header",
            "tensorlings.packs",
            "tensorlings.workbook",
            "tensorlings.grading.safe_text",
        ),
    ),
    ("isolation, child side", ("tensorlings.worker",)),
    (
        "judging and isolation, host side",
        # The picture of a failing case is data the checker makes and the views draw.
        ("tensorlings.checker", "tensorlings.picture"),
    ),
    (
        "authoring, grading, views",
        (
            "tensorlings.authoring",
            "tensorlings.pack_checks",
            "tensorlings.importing",
            "tensorlings.grading",
            "tensorlings.gradescope.autograder",
            "tensorlings.views",
            "tensorlings.notebook",
            "tensorlings.progress",
            "tensorlings.workbook_choice",
            "tensorlings.learner",
            "tensorlings.interactive",
            "tensorlings.watch",
            "tensorlings.confirm",
        ),
    ),
    (
        "command line",
        (
            "tensorlings",
            "tensorlings.__main__",
            "tensorlings.cli",
            "tensorlings.cli_common",
            "tensorlings.cli_parser",
            "tensorlings.authoring.cli",
            "tensorlings.reset",
            "tensorlings.grading.cli",
            "tensorlings.grading.__main__",
            "tensorlings.gradescope",
            "tensorlings.devtools",
            "tensorlings.devtools_imports",
        ),
    ),
)
LAYER_NAMES = tuple(name for name, _ in LAYERS)


@dataclass(frozen=True)
class Edge:
    """One import: `source` imports `target` at `line` of its file."""

    source: str
    target: str
    line: int


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its `__init__.py`)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes inside `if TYPE_CHECKING:` blocks (they never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def _named(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement asks for, relative imports resolved."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    yield from (f"{base}.{alias.name}" for alias in node.names)


def _known(name: str, known: Iterable[str]) -> str | None:
    """The longest module of ours that `name` names (`pkg.mod.function` names `pkg.mod`)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def edges_of(module: str, path: Path, known: dict[str, Path]) -> list[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_only(tree)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skipped:
            continue
        for name in _named(node, module, is_package):
            target = _known(name, known)
            if target is not None and target != module:
                found.append(Edge(module, target, node.lineno))
    return sorted(set(found), key=lambda edge: (edge.target, edge.line))


def graph(package: Path = PACKAGE) -> list[Edge]:
    """Every import between two modules of the package."""
    known = modules(package)
    return [edge for module, path in known.items() for edge in edges_of(module, path, known)]


def circles(edges: Iterable[Edge]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one module, largest first (Tarjan's
    algorithm, iterative so that a deep chain of imports cannot overflow the stack)."""
    after: dict[str, list[str]] = {}
    for edge in edges:
        after.setdefault(edge.source, []).append(edge.target)
        after.setdefault(edge.target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    for start in after:
        if start in index:
            continue
        work = [(start, iter(after[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            step = next(pending, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(after[step])))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(tuple(sorted(component)))
    return sorted(found, key=lambda component: (-len(component), component))


def _claim(module: str) -> tuple[str, str]:
    """The layer a module belongs to and the prefix in LAYERS that puts it there (the longest;
    the package itself, `tensorlings`, names only its `__init__.py`)."""
    best: tuple[str, str] | None = None
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            inside = prefix != ROOT_NAME and module.startswith(prefix + ".")
            if (module == prefix or inside) and (best is None or len(prefix) > len(best[1])):
                best = (name, prefix)
    if best is None:
        raise LookupError(f"{module} is in no layer: add it to LAYERS in {__name__}.")
    return best


def layer_of(module: str) -> str:
    """The layer a module belongs to."""
    return _claim(module)[0]


def upward(edges: Iterable[Edge]) -> list[Edge]:
    """The imports that run from a lower layer up to a higher one."""
    rank = {name: number for number, name in enumerate(LAYER_NAMES)}
    return [edge for edge in edges if rank[layer_of(edge.source)] < rank[layer_of(edge.target)]]


def page() -> str:
    """docs/internals/imports.md: the layers, what each holds, and the imports between them."""
    edges = graph()
    unit = {module: _claim(module)[1] for module in modules()}
    counted = Counter(
        (unit[e.source], unit[e.target]) for e in edges if unit[e.source] != unit[e.target]
    )
    lines = [
        "<!-- Generated by `python -m tensorlings.devtools regenerate` from the source: "
        + "do not edit. -->",
        "",
        "# The import graph",
        "",
        "Drawn from every import in `src/tensorlings` (inside functions too; only",
        "`if TYPE_CHECKING:` blocks are left out) by `tensorlings/devtools_imports.py`.",
        "The layers are listed lowest first: a module imports from its own layer or a lower one,",
        "never from a higher one, and no modules import each other in a circle;",
        "`tests/test_import_graph.py` fails otherwise. Each row is a module, or a package with",
        "everything under it that no nearer row claims; the numbers count import statements.",
        "",
    ]
    for number, (name, prefixes) in enumerate(LAYERS, start=1):
        lines += [f"## {number}. {name}", "", "| module or package | imports | imported by |"]
        lines.append("|---|---|---|")
        for prefix in sorted(prefixes):
            out = sorted((target, n) for (source, target), n in counted.items() if source == prefix)
            into = sum(n for (source, target), n in counted.items() if target == prefix)
            listed = ", ".join(f"`{target}` ({n})" for target, n in out)
            lines.append(f"| `{prefix}` | {listed or '-'} | {into} |")
        lines.append("")
    return "\n".join(lines)
