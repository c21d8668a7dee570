"""Small wrong versions of a reference, made by changing one thing in its source: a comparison
(< for <=), an integer constant (off by one), keepdim, the axis of a reduction, + for -, % for
//, + for *, or * for /. The same kinds of change as the mistakes learners make, derived rather
than written.

Changes that cannot alter the answer are left out, so that every mutant is truly wrong: an
index into `.shape` turned from 0 into -1 or back (the one axis of a 1-D tensor), and an axis
changed to -1 (the same as 1 on a 2-D tensor).
"""

from __future__ import annotations

import ast
import copy
import inspect
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_SWAPPED_COMPARISON: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_SWAPPED_OPERATOR: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.FloorDiv: ast.Mod,
    ast.Mod: ast.FloorDiv,
    ast.Mult: ast.Add,
    ast.Div: ast.Mult,
}


@dataclass(frozen=True)
class Mutant:
    label: str
    function: Callable[..., Any]


def _special_constants(tree: ast.AST) -> tuple[set[int], set[int]]:
    """ids of the constants that index `.shape`, and of those given as `dim=` (which change as
    an axis, not as a number)."""
    shape_indexes = {
        id(node.slice)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "shape"
    }
    axes = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.keyword) and n.arg == "dim"}
    return shape_indexes, axes


def _constant_changes(
    node: ast.Constant, special: tuple[set[int], set[int]]
) -> Iterator[tuple[str, Callable[[], None]]]:
    shape_indexes, axes = special
    if type(node.value) is not int or id(node) in axes:
        return
    for step in (1, -1):
        new = node.value + step
        if id(node) in shape_indexes and {node.value, new} == {0, -1}:
            continue
        yield (
            f"{node.value} made {new} on line {node.lineno}",
            lambda new=new: setattr(node, "value", new),
        )


def _axis_changes(node: ast.keyword, line: int) -> Iterator[tuple[str, Callable[[], None]]]:
    if isinstance(node.value, ast.Constant):
        for axis in {0, 1} - {node.value.value}:
            label = f"dim={node.value.value} made dim={axis} on line {line}"
            yield label, lambda axis=axis: setattr(node, "value", ast.Constant(axis))


def _changes(
    node: ast.AST, special: tuple[set[int], set[int]]
) -> Iterator[tuple[str, Callable[[], None]]]:
    """Every single change to this node, as (what it does, a function that makes it)."""
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Compare):
        for j, op in enumerate(node.ops):
            swapped = _SWAPPED_COMPARISON.get(type(op))
            if swapped is not None:
                label = f"{type(op).__name__} made {swapped.__name__} on line {line}"
                yield label, lambda j=j, swapped=swapped: node.ops.__setitem__(j, swapped())
    elif isinstance(node, ast.BinOp) and type(node.op) in _SWAPPED_OPERATOR:
        other = _SWAPPED_OPERATOR[type(node.op)]
        label = f"{type(node.op).__name__} made {other.__name__} on line {line}"
        yield label, lambda: setattr(node, "op", other())
    elif isinstance(node, ast.Constant):
        yield from _constant_changes(node, special)
    elif isinstance(node, ast.keyword) and node.arg == "keepdim":
        yield f"keepdim dropped on line {line}", lambda: setattr(node, "value", ast.Constant(False))
    elif isinstance(node, ast.keyword) and node.arg == "dim":
        yield from _axis_changes(node, line)


def _all_changes(tree: ast.AST) -> list[tuple[str, Callable[[], None]]]:
    special = _special_constants(tree)
    return [change for node in ast.walk(tree) for change in _changes(node, special)]


def mutants(reference: Callable[..., Any]) -> list[Mutant]:
    """One mutant per single change to the reference's source, compiled in its own module."""
    source = textwrap.dedent(inspect.getsource(reference))
    original = ast.parse(source)
    made = []
    for k in range(len(_all_changes(original))):
        tree = copy.deepcopy(original)  # the same walk order, so change k is the same change
        label, change = _all_changes(tree)[k]
        change()
        ast.fix_missing_locations(tree)
        namespace = dict(reference.__globals__)
        exec(compile(tree, reference.__code__.co_filename, "exec"), namespace)
        made.append(Mutant(label, namespace[reference.__name__]))
    return made
