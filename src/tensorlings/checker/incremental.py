"""Re-check only what a save changed: watch mode keys each exercise by the code it depends on.

An exercise's key covers its function, the functions it calls (transitively), and every
top-level statement that is not a function definition. A save that leaves the key alone keeps
the last verdict, so an unchanged function that hangs does not cost its timeout on every save.
A failed verdict is also re-checked when its function moved, since its message cites lines.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tensorlings.catalogue import Catalogue, sheet
from tensorlings.checker import facts_reader
from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport, ExerciseResult
from tensorlings.checker.source import Workbook, read_workbook
from tensorlings.errors import WorkbookError
from tensorlings.vocab import Status


@dataclass(frozen=True)
class Key:
    code: str  # digest of the code the exercise depends on, line numbers left out
    line: int  # where its function starts: a failed verdict cites lines


def exercise_keys(workbook: Workbook, ids: tuple[str, ...]) -> dict[str, Key]:
    facts = facts_reader.of_workbook(workbook)
    context = hashlib.sha256()
    for statement in workbook.definitions():
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            context.update(ast.dump(statement).encode())
    for cell in workbook.cells:
        if cell.tree is None:  # a cell that does not parse still changes what loads
            context.update(cell.code.encode())
    keys = {}
    for exercise_id in ids:
        digest = context.copy()
        for piece in facts.reach(exercise_id):
            digest.update(ast.dump(piece.node).encode())
        node = facts.functions.get(exercise_id)
        keys[exercise_id] = Key(digest.hexdigest(), node.lineno if node else 0)
    return keys


class IncrementalChecker:
    """Checks a workbook again and again with one warm worker, reusing unchanged verdicts."""

    def __init__(self, zygote: Any, catalogue: Catalogue | None = None, **options: Any) -> None:
        self.zygote = zygote
        self.catalogue = catalogue or sheet()
        self.options = {**options, "catalogue": self.catalogue}
        self.cache: dict[str, tuple[Key, ExerciseResult]] = {}
        self.last: CheckReport | None = None

    def _still_valid(self, exercise_id: str, key: Key) -> bool:
        cached = self.cache.get(exercise_id)
        if cached is None or cached[0].code != key.code:
            return False
        return cached[1].status != Status.FAILED or cached[0].line == key.line

    def check(self, path: Path) -> CheckReport:
        try:
            keys = exercise_keys(read_workbook(path), self.catalogue.ids())
        except WorkbookError:
            keys = {}
        stale = [
            i for i in self.catalogue.ids() if i not in keys or not self._still_valid(i, keys[i])
        ]
        if not stale and self.last is not None:
            return self.last
        report = check_path(path, zygote=self.zygote, exercise_ids=stale, **self.options)
        if report.error is not None:
            self.cache.clear()
            self.last = None
            return report
        for result in report.exercises:
            self.cache[result.id] = (keys[result.id], result)
        merged = tuple(self.cache[i][1] for i in self.catalogue.ids() if i in self.cache)
        self.last = replace(report, exercises=merged)
        return self.last
