"""Read the solutions file: its functions, matched to the sheet's stubs by name, with the
module-level helpers, constants and imports each one uses, and, for `as_strided` puzzles, the
sizes and strides its `test_cases` list fills in. The file is the author's own code: it is
copied into the pack, never run here."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from tensorlings.importing.cells import read_text
from tensorlings.importing.errors import ImportProblem
from tensorlings.importing.textcode import parses


@dataclass
class Solutions:
    path: Path | None = None
    imports: list[str] = field(default_factory=list)
    definitions: dict[str, ast.stmt] = field(default_factory=dict)  # top-level defs and constants
    sources: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    strided: list[tuple[tuple[int, ...], tuple[int, ...]] | None] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return isinstance(self.definitions.get(name), ast.FunctionDef)

    def source_for(self, names: list[str]) -> list[str]:
        """The definitions `names` need (helpers and constants first), in the file's order."""
        needed: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in needed or name not in self.definitions:
                continue
            needed.add(name)
            todo += [n.id for n in ast.walk(self.definitions[name]) if isinstance(n, ast.Name)]
        return [self.sources[name] for name in self.order if name in needed]


def read_solutions(path: Path | None) -> Solutions:
    if path is None:
        return Solutions()
    text = read_text(path)
    if path.suffix.lower() == ".ipynb":
        from tensorlings.importing.cells import CellKind, read_sheet

        text = "\n\n".join(c.text for c in read_sheet(path) if c.kind is CellKind.CODE)
    if not parses(text):
        try:
            ast.parse(text)
            detail = "it is nested too deeply"
        except SyntaxError as error:
            detail = f"line {error.lineno}: {error.msg}"
        except (ValueError, RecursionError, MemoryError):
            detail = "it cannot be parsed"
        raise ImportProblem(
            f"the solutions file {path} is not valid Python ({detail}).",
            "Fix it, or import without --solutions (each reference is then left as a TODO).",
        )
    solutions = Solutions(path)
    for node in ast.parse(text).body:
        _add(solutions, node, ast.get_source_segment(text, node) or "")
    return solutions


def _add(solutions: Solutions, node: ast.stmt, source: str) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        if source not in solutions.imports:
            solutions.imports.append(source)
        return
    names: list[str] = []
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        names = [node.name]
    elif isinstance(node, ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if "test_cases" in names:
            solutions.strided = _strided_answers(node.value)
            return
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        names = [node.target.id]
    for name in names:
        if name not in solutions.definitions:
            solutions.order.append(name)
        solutions.definitions[name] = node
        solutions.sources[name] = source


def _strided_answers(value: ast.expr) -> list[tuple[tuple[int, ...], tuple[int, ...]] | None]:
    """size and stride of each `TestCase(output=..., size=..., stride=...)`, by position."""
    answers: list[tuple[tuple[int, ...], tuple[int, ...]] | None] = []
    for item in value.elts if isinstance(value, (ast.List, ast.Tuple)) else []:
        keywords = {k.arg: k.value for k in item.keywords} if isinstance(item, ast.Call) else {}
        try:
            size = tuple(ast.literal_eval(keywords["size"]))
            stride = tuple(ast.literal_eval(keywords["stride"]))
        except (KeyError, ValueError, TypeError, SyntaxError, RecursionError):
            answers.append(None)
            continue
        answers.append((size, stride))
    return answers
