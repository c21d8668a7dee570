"""The checker's own tensor work runs on one thread; the caller's torch keeps its own setting."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from tests.checker.conftest import CheckSource

from tensorlings.checker import probes


def test_check_makes_the_references_answers_on_one_thread_and_gives_the_threads_back(
    check_source: CheckSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads_seen: list[int] = []
    reference_output = probes.reference_output

    def watched(exercise: Any, args: tuple[Any, ...]) -> Any:
        threads_seen.append(torch.get_num_threads())
        return reference_output(exercise, args)

    monkeypatch.setattr(probes, "reference_output", watched)
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        code = "def relu_where(x):\n    return t.where(x > 0, x, 0.0)\n"
        results = check_source("threads", code)
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    assert results["relu_where"].status == "passed"
    assert threads_seen and set(threads_seen) == {1}
    assert after == 3
