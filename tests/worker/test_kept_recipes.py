"""Recipes the zygote makes once (the coach's larger inputs): every child then copies the kept
tensor, which holds exactly what drawing it would give (no subprocess)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import torch

from tensorlings.worker import encoding


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    encoding._KEPT.clear()
    yield
    encoding._KEPT.clear()


def test_a_kept_recipe_gives_the_values_a_fresh_drawing_gives() -> None:
    records = [
        encoding.recipe("normal", (64, 8), 7),
        encoding.recipe("integers", (64,), 8, low=0, high=8),
        encoding.recipe("probs", (10,), 7),
    ]
    drawn = [encoding.make_recipe(r) for r in records]
    encoding.keep_recipes(records)
    assert len(encoding._KEPT) == 3
    for record, fresh in zip(records, drawn, strict=True):
        kept = encoding.make_recipe(dict(reversed(list(record.items()))))  # any field order
        assert torch.equal(kept, fresh) and kept.dtype == fresh.dtype


def test_each_call_gets_a_copy_that_learner_code_may_change_in_place() -> None:
    record = encoding.recipe("normal", (4, 4), 3)
    encoding.keep_recipes([record])
    first = encoding.make_recipe(record)
    first.zero_()
    assert not torch.equal(encoding.make_recipe(record), first)


def test_what_is_not_a_recipe_is_not_kept_and_the_kept_stay_under_their_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoding.keep_recipes("not a list")
    encoding.keep_recipes([{"t": "recipe", "kind": "nonsense", "shape": [2], "seed": 1}, 3])
    assert encoding._KEPT == {}
    monkeypatch.setattr(encoding, "_KEPT_BYTES", 4 * 100)  # room for one of these, not two
    encoding.keep_recipes([encoding.recipe("normal", (100,), s) for s in (1, 2)])
    assert len(encoding._KEPT) == 1


def test_keeping_recipes_in_the_zygote_starts_no_thread_and_draws_nothing_shared() -> None:
    """The zygote forks after it: no thread pool to fork across, the default generator (which
    every child inherits) untouched."""
    threads = torch.get_num_threads()
    state = torch.default_generator.get_state().clone()
    running = len(os.listdir("/proc/self/task"))
    torch.set_num_threads(1)  # as the zygote runs (its warm-up)
    try:
        encoding.keep_recipes([encoding.recipe("normal", (2048, 256), 1)])
        assert len(os.listdir("/proc/self/task")) <= running
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(torch.default_generator.get_state(), state)
