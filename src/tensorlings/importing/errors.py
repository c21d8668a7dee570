"""The one error `pack import` raises for bad input: what happened and what to try."""

from __future__ import annotations

from tensorlings.errors import TensorlingsError


class ImportProblem(TensorlingsError):
    def __init__(self, what: str, advice: str = "") -> None:
        super().__init__(f"{what} {advice}".strip() if advice else what)
