"""tensorlings: learn PyTorch tensor manipulation by doing it.

Kept light on purpose: the isolated worker imports this package, and nothing here may pull in
the catalogue or the reference solutions.
"""

from __future__ import annotations

from typing import Any

from tensorlings.version import __version__

__all__ = ["__version__", "check", "load_ipython_extension"]


def check(fn: Any = None, exercise_id: str | None = None, **options: Any) -> Any:
    """Check a function where you wrote it (Jupyter, Colab, VS Code's interactive window), with
    the command line's isolated checker; with no argument, every exercise defined here.
    `pack=` names the pack (an installed pack's name or a path) when it is not the sheet.

    >>> tensorlings.check(column_means)   # doctest: +SKIP
    <tensorlings: column_means passed>
    >>> tensorlings.check(tril, pack="from_scratch")   # doctest: +SKIP
    """
    from tensorlings.interactive import check as check_in_place

    return check_in_place(fn, exercise_id, **options)


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext tensorlings`: adds the `%%check` cell magic."""
    from tensorlings.notebook.magic import register

    register(shell)
