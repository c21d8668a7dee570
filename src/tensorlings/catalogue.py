"""The ordered catalogue of every exercise, with lookup by id.

Sections are listed explicitly, in the sheet's order; there is no import-time discovery.
"""

from __future__ import annotations

import difflib
import importlib
from functools import cache

from tensorlings.errors import UnknownExercise
from tensorlings.exercise import Exercise

# The sections, in the sheet's order: an explicit list, no discovery at import time.
SECTIONS = (
    "s01_rearrange",
    "s02_tensor_vs_tensor",
    "s03_reduce",
    "s04_products_sampling",
    "s05_indexing",
    "s06_numerics",
    "s07_collecting",
    "s08_as_strided",
    "s09_relu",
)


@cache
def exercises() -> tuple[Exercise, ...]:
    """Every exercise, in the order a learner meets them."""
    modules = [importlib.import_module(f"tensorlings.exercises.{name}") for name in SECTIONS]
    return tuple(ex for module in modules for ex in module.EXERCISES)


@cache
def _by_id() -> dict[str, Exercise]:
    return {ex.id: ex for ex in exercises()}


def ids() -> tuple[str, ...]:
    return tuple(ex.id for ex in exercises())


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; an unknown id says which ids are close."""
    try:
        return _by_id()[exercise_id]
    except KeyError:
        close = difflib.get_close_matches(exercise_id, ids(), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownExercise(
            f"There is no exercise {exercise_id!r}.{hint} Run `tensorlings list` to see them all."
        ) from None


def sections() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for ex in exercises():
        seen.setdefault(ex.section, None)
    return tuple(seen)


def next_after(exercise_id: str) -> Exercise | None:
    order = ids()
    position = order.index(exercise_id)
    return exercises()[position + 1] if position + 1 < len(order) else None
