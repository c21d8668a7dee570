"""`tensorlings pack import`: from a sheet (and its solutions) to a pack folder, with a report
of every guess and every TODO."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tensorlings.importing.cases import Memory
from tensorlings.importing.cells import read_sheet
from tensorlings.importing.errors import ImportProblem
from tensorlings.importing.examples import find_examples
from tensorlings.importing.plan import ExercisePlan, plan_exercise
from tensorlings.importing.puzzles import find_questions, find_strided
from tensorlings.importing.render import render_pack
from tensorlings.importing.solutions import read_solutions
from tensorlings.importing.stubs import parse_cells


@dataclass
class ImportReport:
    pack: Path
    functions: list[str] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)  # the asserts they came from
    puzzles: list[str] = field(default_factory=list)
    questions: int = 0
    notes: list[str] = field(default_factory=list)  # "ID: inferred ..."
    todos: list[str] = field(default_factory=list)  # "ID: TODO: ..."

    def lines(self) -> list[str]:
        count = len(self.functions) + len(self.puzzles)
        head = [
            f"imported {count} exercises into {self.pack}: {len(self.functions)} functions, "
            f"{len(self.puzzles)} as_strided puzzles; {self.questions} questions left as TODOs."
        ]
        listed = []
        for name in self.functions:
            listed.append(f"  {name}: {len(self.examples.get(name, []))} examples")
            listed += [f"    {source}" for source in self.examples.get(name, [])]
        return (
            head
            + listed
            + self.notes
            + self.todos
            + [
                f"{len(self.todos)} TODOs. Next: edit {self.pack / '__init__.py'}, then "
                f"`tensorlings pack check {self.pack}`."
            ]
        )


def import_sheet(sheet_path: Path, solutions_path: Path | None, out: Path) -> ImportReport:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ImportProblem(
            f"{out} already exists and is not an empty folder; nothing was written.",
            "Choose another --out, or remove it.",
        )
    cells = read_sheet(sheet_path)
    sheet = parse_cells(cells)
    solutions = read_solutions(solutions_path)
    puzzles, puzzle_notes = find_strided(sheet)
    questions = find_questions(cells, sheet)
    if not sheet.stubs and not puzzles:
        raise ImportProblem(
            f"no exercise found in {sheet_path}: no function whose body is a stub (pass, ..., "
            "raise NotImplementedError or a TODO) and no as_strided list.",
            "Check that the sheet's Python is in code blocks (``` fences in Markdown, code cells "
            "in a notebook) and that each exercise is a def with a stub body.",
        )
    findings = find_examples(sheet)
    memory = Memory()
    plans = [plan_exercise(stub, findings, solutions, memory) for stub in sheet.stubs]
    report = _report(out, plans, puzzles, len(questions))
    report.notes += [f"as_strided: {note}" for note in puzzle_notes]
    for line in sheet.skipped_cells:
        report.notes.append(f"sheet: the code cell at line {line} does not parse; it was skipped")
    for puzzle in puzzles:
        number = puzzle.number
        listed = number <= len(solutions.strided) and solutions.strided[number - 1] is not None
        if not listed and not solutions.has(f"as_strided_{number}"):
            report.todos.append(
                f"as_strided_{number}: TODO: write its size and stride (not in the solutions file)"
            )
    report.todos += [
        f"question at sheet line {q.line}: TODO: write its options, or delete it" for q in questions
    ]
    name = _pack_name(out.name)
    title = _title(cells, sheet_path)
    source = render_pack(name, title, sheet_path.name, plans, puzzles, questions, solutions)
    out.mkdir(parents=True, exist_ok=True)
    (out / "__init__.py").write_text(source, encoding="utf-8")
    (out / "IMPORT_REPORT.txt").write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    return report


def _report(out: Path, plans: list[ExercisePlan], puzzles: list, questions: int) -> ImportReport:
    report = ImportReport(out, questions=questions)
    for plan in plans:
        report.functions.append(plan.id)
        report.examples[plan.id] = [
            " ".join(source.split())[:100] for _, _, source in plan.examples
        ]
        report.notes += [
            f"{plan.id}: {'' if note.startswith('skipped') else 'inferred '}{note}"
            for note in plan.notes
        ]
        if plan.cases is not None:
            report.notes += [f"{plan.id}: inferred cases: {note}" for note in plan.cases.notes]
        report.todos += [f"{plan.id}: TODO: {todo}" for todo in plan.todos]
    report.puzzles = [f"as_strided_{p.number}" for p in puzzles]
    return report


def _pack_name(folder: str) -> str:
    name = re.sub(r"\W", "_", folder.lower()).strip("_") or "imported"
    return name if name[0].isalpha() else f"pack_{name}"


def _title(cells: list, sheet_path: Path) -> str:
    headings = [c.heading for c in cells if c.heading]
    named = [h for h in headings if re.search(r"exercise|sheet|practice|puzzle", h, re.IGNORECASE)]
    return (named or headings or [sheet_path.stem.replace("_", " ")])[0]
