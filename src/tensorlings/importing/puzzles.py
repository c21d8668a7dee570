"""The sheet's exercises that are not functions: `as_strided` fill-ins (a list of cases with an
output and a size and stride to find) and predict-the-output cells (a snippet that prints,
under text that asks what it prints). Puzzles become `Strided` exercises; questions, whose
options only the author can write, become TODOs that carry the snippet."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

import torch

from tensorlings.importing.cells import Cell, CellKind
from tensorlings.importing.safe_eval import Unsafe, evaluate
from tensorlings.importing.stubs import Sheet

_ASKS = re.compile(
    r"\bwhat (?:should|does|will|would)\b.*\b(?:print|do|output|return|give)\b", re.I
)


@dataclass(frozen=True)
class StridedPuzzle:
    number: int  # 1-based position in the sheet's list
    input: torch.Tensor
    target: torch.Tensor


@dataclass(frozen=True)
class QuestionCell:
    snippet: str
    line: int
    section: str


def find_strided(sheet: Sheet) -> tuple[list[StridedPuzzle], list[str]]:
    """The puzzles, and notes on those whose target could not be evaluated."""
    env: dict[str, Any] = {}
    targets: list[Any] = []
    input_name = None
    notes: list[str] = []
    for statement in sheet.statements:
        node = statement.node
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            cases = _case_list(node.value)
            if cases is not None:
                targets = [_evaluate(c, env, sheet, notes) for c in cases]
                continue
            try:
                env[node.targets[0].id] = evaluate(node.value, env, sheet.torch_names)
            except (Unsafe, RecursionError):
                env.pop(node.targets[0].id, None)
        match = re.search(r"(\w+)\.as_strided\(", statement.source)
        if match and not isinstance(node, ast.FunctionDef):
            input_name = match.group(1)
    source = env.get(input_name) if input_name else None
    if not targets or not isinstance(source, torch.Tensor):
        return [], notes
    puzzles = [
        StridedPuzzle(number, source, target)
        for number, target in enumerate(targets, 1)
        if isinstance(target, torch.Tensor)
    ]
    return puzzles, notes


def _case_list(value: ast.expr) -> list[ast.expr] | None:
    """The `output=` of each case, when `value` is a list of calls with output, size, stride."""
    if not isinstance(value, (ast.List, ast.Tuple)) or not value.elts:
        return None
    outputs = []
    for item in value.elts:
        if not isinstance(item, ast.Call):
            return None
        keywords = {k.arg: k.value for k in item.keywords}
        if not {"size", "stride"} <= keywords.keys():
            return None
        output = keywords.get("output", item.args[0] if item.args else None)
        if output is None:
            return None
        outputs.append(output)
    return outputs


def _evaluate(node: ast.expr, env: dict[str, Any], sheet: Sheet, notes: list[str]) -> Any:
    try:
        return evaluate(node, env, sheet.torch_names)
    except (Unsafe, RecursionError) as error:
        notes.append(f"an as_strided target was not evaluated: {error}")
        return None


def find_questions(cells: list[Cell], sheet: Sheet) -> list[QuestionCell]:
    """Code cells without a def that print, right under text asking what they print."""
    questions = []
    for index, cell in enumerate(cells):
        if cell.kind is not CellKind.CODE or index == 0 or cell.line in sheet.skipped_cells:
            continue
        above = cells[index - 1]
        if above.kind is not CellKind.TEXT or not _ASKS.search(above.text.strip().split("\n")[-1]):
            continue
        if "def " in cell.text or "print(" not in cell.text:
            continue
        questions.append(QuestionCell(cell.text.strip(), cell.line, cell.heading))
    return questions
