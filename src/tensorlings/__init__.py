"""tensorlings: learn PyTorch tensor manipulation by doing it.

Kept light on purpose: the isolated worker imports this package, and nothing here may pull in
the catalogue or the reference solutions.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "check"]


def check(
    fn: Any, exercise_id: str | None = None, *, seed: int = 0, pack: str | None = None
) -> Any:
    """Check one function right where you wrote it (a notebook or VS Code's interactive window).

    >>> tensorlings.check(batched_softmax)   # doctest: +SKIP
    >>> tensorlings.check(tril, pack="from_scratch")   # doctest: +SKIP
    """
    from tensorlings.interactive import check_function

    return check_function(fn, exercise_id, seed=seed, pack=pack)
