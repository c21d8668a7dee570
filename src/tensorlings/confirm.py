"""Asking before an action a learner may regret (revealing a solution, resetting their code)."""

from __future__ import annotations

import sys

from tensorlings.errors import TensorlingsError


def confirmed(question: str, yes: bool, what: str) -> bool:
    """True when `yes` was given or the person answers y; with no terminal to ask on and no
    `--yes`, a clear error (a script must say it on purpose). `what` names the action."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise TensorlingsError(
            f"Not {what}: tensorlings asks first, and no terminal is attached to answer on. "
            "Run it in a terminal, or add --yes to go ahead without asking."
        )
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")
