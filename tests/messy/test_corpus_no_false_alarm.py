"""A corpus of correct learner files in the styles real public solutions have (notebook
exports, Colab headers, course-only imports, decorators, test blocks, plots, ...): every
exercise a file implements passes, every other one is not_started, under two seeds.

Each file is named for its style (`corpus/` for the sheet, `corpus_from_scratch/` for the
from_scratch pack). Which exercises a file implements is read from its own top-level
definitions, so a new file needs no list kept beside it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tensorlings import packs
from tensorlings.catalogue import Catalogue, sheet
from tensorlings.checker.results import CheckReport

CheckFile = Callable[..., CheckReport]

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
SEEDS = (0, 7)
# Load notes that would mean the checker refused or lost part of a correct file.
ALARMING_NOTES = frozenset({"tampering", "crashed"})


def corpus(folder: str) -> list[Path]:
    return sorted(p for p in (HERE / folder).iterdir() if p.suffix in (".py", ".ipynb"))


def cells_of(path: Path) -> list[str]:
    """The file's Python by cell, notebook lines (`!pip`, `%magic`) left out."""
    if path.suffix == ".ipynb":
        book = nbformat.read(path, as_version=4)
        cells = [c.source for c in book.cells if c.cell_type == "code"]
    else:
        cells = [path.read_text(encoding="utf-8")]
    skip = ("!", "%")
    return ["\n".join(x for x in c.splitlines() if not x.lstrip().startswith(skip)) for c in cells]


def top_level(path: Path) -> list[ast.stmt]:
    """Statements of every cell that parses (a broken cell is the learner's, noted, not lost)."""
    found: list[ast.stmt] = []
    for cell in cells_of(path):
        try:
            found += ast.parse(cell).body
        except SyntaxError:
            continue
    return found


def implemented(path: Path, pack: Catalogue) -> set[str]:
    """Exercise names the file binds at top level to a def or a lambda."""
    ids = {e.id for e in pack.exercises}
    found = set()
    for node in top_level(path):
        if isinstance(node, ast.FunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return found & ids


def problems_of(report: CheckReport) -> dict[str, list[str]]:
    return {
        r.id: [f"{p.kind}: {p.message}" for p in r.problems if p.fails]
        for r in report.exercises
        if r.status == "failed"
    }


def check_corpus_file(path: Path, pack: Catalogue, check_file: CheckFile, seed: int) -> None:
    expected = implemented(path, pack)
    assert expected, f"{path.name} implements no exercise of the pack"
    # The coach's advice never fails an exercise; leaving it out keeps the corpus quick.
    report = check_file(path, seed=seed, catalogue=pack, coach=False)
    assert report.error is None, f"{path.name} could not be checked: {report.error}"
    assert problems_of(report) == {}, f"false alarm in {path.name} (seed {seed})"
    statuses = {r.id: r.status for r in report.exercises}
    assert {i for i, s in statuses.items() if s == "passed"} == expected
    assert all(s == "not_started" for i, s in statuses.items() if i not in expected)
    alarming = [n for n in report.load_notes if n.kind in ALARMING_NOTES]
    assert alarming == [], f"{path.name}: {alarming}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("path", corpus("corpus"), ids=lambda p: p.name)
def test_correct_sheet_file_in_a_learner_style_passes_every_exercise_it_implements(
    path: Path, seed: int, check_file: CheckFile
) -> None:
    check_corpus_file(path, sheet(), check_file, seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("path", corpus("corpus_from_scratch"), ids=lambda p: p.name)
def test_correct_from_scratch_file_in_a_learner_style_passes_every_exercise_it_implements(
    path: Path, seed: int, check_file: CheckFile
) -> None:
    check_corpus_file(path, packs.load_installed("from_scratch"), check_file, seed)


def test_corpus_covers_notebooks_scripts_and_both_packs() -> None:
    sheet_files = corpus("corpus")
    assert len(sheet_files) + len(corpus("corpus_from_scratch")) >= 30
    assert {p.suffix for p in sheet_files} == {".py", ".ipynb"}
    covered = set().union(*(implemented(p, sheet()) for p in sheet_files))
    assert covered == {e.id for e in sheet().exercises}
