"""A catalogue: one pack's exercises, in order, with lookup by id.

The checker, workbooks, the CLI and grading are handed a `Catalogue`; `tensorlings.packs` finds
the packs and builds their catalogues. The module-level functions below are the built-in sheet
pack's catalogue, for the code and tests that only ever mean the sheet.

>>> from tensorlings.exercise import Exercise
>>> one = Exercise("double", "Basics", "Double it", "Return 2 * x.", lambda x: 2 * x, ("?",))
>>> pack = Catalogue("tiny", "A tiny pack", "0.1", "the doctest", (one,))
>>> pack.get("double").title, pack.ids(), pack.sections()
('Double it', ('double',), ('Basics',))
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from types import ModuleType
from typing import Any

from tensorlings.errors import PackError
from tensorlings.exercise import Exercise
from tensorlings.exercise_ids import SHEET, unknown_exercise


@dataclass(frozen=True)
class Catalogue:
    """One pack: its name, title and version, where it was found, and its exercises in order.

    `roots` are the folders holding the pack's code (the worker hides them from learner code);
    `modules` the names its modules are imported under (the worker refuses to import them).
    """

    name: str
    title: str
    version: str
    source: str
    exercises: tuple[Exercise, ...]
    roots: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    # A pack loaded from a file or folder: that path (a workbook records it).
    path: str | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for exercise in self.exercises:
            if exercise.id in seen:
                raise PackError(
                    f"pack {self.name!r} ({self.source}) defines exercise {exercise.id!r} twice. "
                    "Each id is the name of the learner's function: give each exercise its own."
                )
            seen.add(exercise.id)

    @cached_property
    def _by_id(self) -> dict[str, Exercise]:
        return {ex.id: ex for ex in self.exercises}

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises)

    def __len__(self) -> int:
        return len(self.exercises)

    def ids(self) -> tuple[str, ...]:
        return tuple(ex.id for ex in self.exercises)

    def get(self, exercise_id: str) -> Exercise:
        """The exercise with this id; an unknown id says which ids are close."""
        try:
            return self._by_id[exercise_id]
        except KeyError:
            raise unknown_exercise(exercise_id, self.ids(), self.name, self.option) from None

    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ex.section for ex in self.exercises))

    def next_after(self, exercise_id: str) -> Exercise | None:
        order = self.ids()
        position = order.index(exercise_id)
        return self.exercises[position + 1] if position + 1 < len(order) else None

    @property
    def option(self) -> str:
        """The `--pack` option that names this pack on a command line ('' for the sheet)."""
        return "" if self.name == SHEET else f" --pack {self.path or self.name}"


def exercises_of(module: ModuleType | Any) -> tuple[Exercise, ...]:
    """A pack module's exercises: its EXERCISES, or those of each submodule in SECTIONS."""
    sections = getattr(module, "SECTIONS", None)
    if sections is not None:
        parts = [importlib.import_module(f"{module.__name__}.{name}") for name in sections]
        found = [ex for part in parts for ex in getattr(part, "EXERCISES", ())]
    else:
        found = list(getattr(module, "EXERCISES", ()))
    wrong = [repr(x)[:60] for x in found if not isinstance(x, Exercise)]
    if wrong:
        raise PackError(
            f"{module.__name__}: EXERCISES must hold Exercise objects, found {', '.join(wrong)}."
        )
    return tuple(found)


@cache
def sheet() -> Catalogue:
    """The built-in default pack: the exercises of the Pre-MLAB PyTorch sheet."""
    from tensorlings import exercises as module

    folder = str(next(iter(module.__path__)))
    return Catalogue(
        SHEET, module.TITLE, module.VERSION, "built-in", exercises_of(module),
        roots=(folder,), modules=(module.__name__,),
    )  # fmt: skip


# The sheet's catalogue as functions, for code that only ever means the sheet.
def exercises() -> tuple[Exercise, ...]:
    """Every exercise of the sheet, in the order a learner meets them."""
    return sheet().exercises


def ids() -> tuple[str, ...]:
    return sheet().ids()


def get(exercise_id: str) -> Exercise:
    return sheet().get(exercise_id)


def sections() -> tuple[str, ...]:
    return sheet().sections()


def next_after(exercise_id: str) -> Exercise | None:
    return sheet().next_after(exercise_id)
