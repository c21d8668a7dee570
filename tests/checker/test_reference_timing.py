"""The reference's measures: memory advice alone reuses one; timing advice measures anew."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tensorlings import catalogue
from tensorlings.checker import reference_timing
from tensorlings.checker.reference_timing import ReferenceTimer
from tensorlings.checker.sandbox import Limits


class _Child:
    alive = True

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def exchange(self, message: dict[str, Any], deadline: Callable[[], float], handle: Any) -> None:
        self.counts["runs"] += 1
        peak = 1000 * self.counts["runs"]
        handle({"seconds": [0.01], "cpu_seconds": [0.01], "peaks": [peak]})


class _Zygote:
    def __init__(self) -> None:
        self.counts = {"spawned": 0, "runs": 0}

    def spawn(self, limits: Limits, trusted: bool = False) -> _Child:
        assert trusted
        self.counts["spawned"] += 1
        return _Child(self.counts)


def _timer(zygote: _Zygote) -> ReferenceTimer:
    return ReferenceTimer(zygote, Limits(), catalogue.sheet())  # type: ignore[arg-type]


def test_memory_advice_alone_measures_the_same_reference_run_once_per_process() -> None:
    reference_timing._PEAKS.clear()
    zygote = _Zygote()
    args = [{"t": "recipe", "kind": "normal", "shape": [4, 4], "seed": 1}]
    first = _timer(zygote).profile("relu_abs", args, 0, 2, peaks_only=True)
    again = _timer(zygote).profile("relu_abs", list(args), 0, 2, peaks_only=True)
    assert again == first and zygote.counts["runs"] == 1
    other_seed = _timer(zygote).profile("relu_abs", args, 1, 2, peaks_only=True)
    assert other_seed.peaks != first.peaks and zygote.counts["runs"] == 2


def test_timing_advice_measures_the_reference_every_time() -> None:
    reference_timing._PEAKS.clear()
    zygote = _Zygote()
    args = [{"t": "recipe", "kind": "normal", "shape": [4, 4], "seed": 1}]
    timer = _timer(zygote)
    first = timer.profile("relu_abs", args, 0, 2)
    second = timer.profile("relu_abs", args, 0, 2)
    assert first.peaks != second.peaks and zygote.counts["runs"] == 2
    assert zygote.counts["spawned"] == 1  # one trusted child per check, as before
