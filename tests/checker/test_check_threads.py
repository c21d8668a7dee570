"""The checker's own tensor work runs on one thread; the caller's torch keeps its own setting."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from tests.checker.conftest import CheckSource

from tensorlings.checker import check


def test_check_judges_on_one_thread_and_gives_the_callers_threads_back(
    check_source: CheckSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads_seen: list[int] = []
    judge_exercise = check.judge_exercise

    def watched(*args: Any) -> Any:  # the host's judging: references, comparisons
        threads_seen.append(torch.get_num_threads())
        return judge_exercise(*args)

    monkeypatch.setattr(check, "judge_exercise", watched)
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
