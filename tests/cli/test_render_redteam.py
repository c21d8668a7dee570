"""What learner code printed, or put in an exception message, is shown by `tensorlings check`
without its control characters reaching the terminal."""

from __future__ import annotations

import io

from rich.console import Console

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.views.console import exercise_block

ANSI = "\x1b[2J\x1b[31mYOU PASSED\x1b[0m\r\u202eevil"


def test_escape_sequences_in_output_and_messages_are_shown_not_obeyed():
    result = ExerciseResult(
        id="relu_abs",
        section="ReLU",
        status="failed",
        problems=(Problem("exception", f"raised ValueError: {ANSI}"),),
        output=f"{ANSI}\nsecond line",
    )
    buffer = io.StringIO()
    exercise_block(Console(file=buffer, force_terminal=True, color_system=None), result)
    shown = buffer.getvalue()
    assert "\x1b[2J" not in shown and "\r" not in shown and "\u202e" not in shown
    assert shown.count("\\x1b[31mYOU PASSED") == 2
