"""A function right everywhere but on a size of 0 is told that, not that sizes are hard-coded."""

from __future__ import annotations

import torch

from tensorlings import catalogue
from tensorlings.checker.simulate import contract_problems


def _identity_by_rows(n: int) -> torch.Tensor:
    # right for every n >= 1; torch.stack refuses the empty list at n = 0
    return torch.stack([(torch.arange(n) == i).long() for i in range(n)])


def test_failing_only_on_an_empty_input_names_the_size_of_zero() -> None:
    exercise = catalogue.get("identity_matrix")  # the sheet asks for identity_matrix(0)
    problems = [p for p in contract_problems(exercise, _identity_by_rows) if p.fails]
    assert problems, "n = 0 is part of this exercise's contract"
    lead = problems[0]
    assert lead.mistake == "code that refuses a size of 0"
    assert "size of 0" in lead.message and "written into the code" not in lead.message
