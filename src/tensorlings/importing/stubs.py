"""Find the exercises of a sheet: each top-level `def` whose body is a stub (`pass`, `...`,
`raise NotImplementedError`, a TODO) becomes one, with its signature, docstring, guard asserts,
heading and the text just above it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from tensorlings.importing.cells import Cell, CellKind
from tensorlings.importing.textcode import parses

_TODO = re.compile(r"\bTODO\b|YOUR CODE", re.IGNORECASE)


@dataclass
class Statement:
    """One top-level statement of the sheet's code, with the cell it came from."""

    node: ast.stmt
    cell: Cell
    source: str


@dataclass
class Stub:
    id: str
    node: ast.FunctionDef
    section: str
    docstring: str
    context: str  # the sheet's text just above the stub, when the stub opens its cell
    guards: list[ast.Assert]
    template: bool  # the body holds code to complete, not only a placeholder
    line: int
    statements_after: list[Statement] = field(default_factory=list)

    @property
    def params(self) -> list[ast.arg]:
        return list(self.node.args.args)


@dataclass
class Sheet:
    statements: list[Statement]
    stubs: list[Stub]
    helpers: dict[str, ast.FunctionDef]  # the sheet's own non-stub functions (test helpers)
    torch_names: frozenset[str]
    skipped_cells: list[int]  # first lines of code cells that do not parse


def parse_cells(cells: list[Cell]) -> Sheet:
    statements: list[Statement] = []
    skipped: list[int] = []
    for cell in cells:
        if cell.kind is not CellKind.CODE:
            continue
        if not parses(cell.text):
            skipped.append(cell.line)
            continue
        for node in ast.parse(cell.text).body:
            statements.append(Statement(node, cell, ast.get_source_segment(cell.text, node) or ""))
    stubs, helpers = _split_functions(statements, cells)
    return Sheet(statements, stubs, helpers, _torch_aliases(statements), skipped)


def _torch_aliases(statements: list[Statement]) -> frozenset[str]:
    names = {"torch"}
    for statement in statements:
        if isinstance(statement.node, ast.Import):
            names.update(a.asname or a.name for a in statement.node.names if a.name == "torch")
    return frozenset(names)


def _split_functions(
    statements: list[Statement], cells: list[Cell]
) -> tuple[list[Stub], dict[str, ast.FunctionDef]]:
    stubs: list[Stub] = []
    helpers: dict[str, ast.FunctionDef] = {}
    for index, statement in enumerate(statements):
        node = statement.node
        if not isinstance(node, ast.FunctionDef):
            if stubs:
                stubs[-1].statements_after.append(statement)
            continue
        kind = stub_kind(node, statement.source)
        if kind is not None and any(stub.id == node.name for stub in stubs):
            continue  # a second stub of one name: the first one is the exercise
        if kind is None:
            helpers[node.name] = node
            if stubs:
                stubs[-1].statements_after.append(statement)
            continue
        opens_cell = index == 0 or statements[index - 1].cell is not statement.cell
        stubs.append(
            Stub(
                id=node.name,
                node=node,
                section=statement.cell.heading,
                docstring=ast.get_docstring(node) or "",
                context=_text_above(cells, statement) if opens_cell else "",
                guards=[s for s in node.body if isinstance(s, ast.Assert)],
                template=kind == "template",
                line=statement.cell.line + node.lineno - 1,
            )
        )
    return stubs, helpers


def stub_kind(node: ast.FunctionDef, source: str) -> str | None:
    """ "stub" (only placeholders), "template" (code marked TODO to complete) or None."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    work = [s for s in body if not isinstance(s, ast.Assert) and not _placeholder(s)]
    if not work:
        return "stub"
    marked = any(_TODO.search(line) for line in source.split("\n")[1:])
    return "template" if marked else None


def _placeholder(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return statement.value.value is Ellipsis or isinstance(statement.value.value, str)
    if isinstance(statement, ast.Return):
        value = statement.value
        return value is None or (isinstance(value, ast.Constant) and value.value is None)
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _text_above(cells: list[Cell], statement: Statement) -> str:
    """The text cell right before the stub's cell, and the comments that open the cell."""
    position = next(i for i, cell in enumerate(cells) if cell is statement.cell)
    parts = []
    if position > 0 and cells[position - 1].kind is CellKind.TEXT:
        parts.append(cells[position - 1].text.strip())
    comments = []
    for line in statement.cell.text.split("\n"):
        if line.startswith("def "):
            break
        if line.startswith("#") and not line.startswith("# %%"):
            comments.append(line.lstrip("#").strip())
    parts.append("\n".join(comments).strip())
    return "\n\n".join(p for p in parts if p)
