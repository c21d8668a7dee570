"""The from_scratch pack as a list, the torch function each exercise rebuilds, and call recording.

Imported as `from from_scratch_helpers import ...`: tests/packs has no __init__.py, so pytest's
default (prepend) import mode puts this folder on sys.path.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import torch
import torch.nn.functional as F

from tensorlings.checker.probes import Probe, clone_args
from tensorlings.exercise import Exercise
from tensorlings.packs import from_scratch
from tensorlings.worker.recorder import CallRecorder, recording

SECTION_MODULES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"tensorlings.packs.from_scratch.{name}")
    for name in from_scratch.SECTIONS
)
EXERCISES: tuple[Exercise, ...] = tuple(ex for m in SECTION_MODULES for ex in m.EXERCISES)
BY_ID = {ex.id: ex for ex in EXERCISES}


def _masked_mean_row_by_row(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    # Row by row with a boolean index: slow, but plainly the definition.
    if x.shape[0] == 0:
        return x.new_empty(0)
    return torch.stack([row[kept].mean() for row, kept in zip(x, keep, strict=True)])


# What torch itself answers, for every exercise: the independent source of expected values.
# The same functions are also what a learner who ignores the rule would write.
TORCH: dict[str, Callable[..., Any]] = {
    "tril": lambda matrix: torch.tril(matrix),
    "triu": lambda matrix, offset: torch.triu(matrix, offset),
    "one_hot": lambda labels, classes: F.one_hot(labels, classes),
    "bincount": lambda values, bins: torch.bincount(values, minlength=bins),
    "cumsum": lambda x: torch.cumsum(x, dim=1),
    "searchsorted": lambda boundaries, values: torch.searchsorted(boundaries, values),
    "argmax": lambda x: torch.argmax(x, dim=1),
    "masked_mean": _masked_mean_row_by_row,
    "fliplr": lambda matrix: torch.fliplr(matrix),
    "roll": lambda x, shift: torch.roll(x, shift, dims=1),
    "repeat_interleave": lambda x, times: torch.repeat_interleave(x, times),
    "tile": lambda x, times: x.tile(times),
    "windows": lambda x, width: x.unfold(0, width, 1),
    "diagonal": lambda matrix, offset: torch.diagonal(matrix, offset),
    "outer": lambda a, b: torch.outer(a, b),
    # The direct formula, not the matrix-product shortcut cdist may take for larger inputs.
    "cdist": lambda a, b: torch.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
    "linspace": lambda start, end, steps: torch.linspace(start, end, steps),
    "pad": lambda x, before, after: F.pad(x, (before, after)),
}


def torch_answer(ex: Exercise, args: tuple[Any, ...]) -> Any:
    with torch.no_grad():
        return TORCH[ex.id](*clone_args(args))


def assert_same_answer(actual: Any, expected: torch.Tensor, ex: Exercise) -> None:
    """Same shape and dtype as torch's answer, values within the exercise's tolerances."""
    assert isinstance(actual, torch.Tensor), f"got {type(actual).__name__}"
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    torch.testing.assert_close(
        actual.detach(), expected, rtol=ex.output.rtol, atol=ex.output.atol, equal_nan=True
    )


def recorded_calls(fn: Callable[..., Any], probes: Iterable[Probe]) -> dict[str, int]:
    """Every call `fn` makes on these probes, recorded the way the worker records a learner's
    calls: a TorchFunctionMode, counting calls made from fn's own file."""
    recorder = CallRecorder(fn.__code__.co_filename)
    totals: Counter[str] = Counter()
    for probe in probes:
        with recording(recorder):
            fn(*clone_args(probe.args))
        totals.update(recorder.take())
    return dict(totals)
