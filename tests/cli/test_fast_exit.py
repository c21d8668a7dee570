"""A finished command ends at once, with its code and all its output, and the usual way
wherever something else may still run."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from tensorlings import fast_exit


def test_leave_takes_the_usual_exit_while_another_thread_runs() -> None:
    release = threading.Event()
    waiting = threading.Thread(target=release.wait, daemon=True)
    waiting.start()
    try:
        with pytest.raises(SystemExit) as ended:
            fast_exit.leave(3)
    finally:
        release.set()
        waiting.join()
    assert ended.value.code == 3


@pytest.mark.slow
def test_a_command_ends_with_its_code_and_every_line_it_printed() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "tensorlings", "list"], capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0
    assert "relu_where" in shown.stdout  # the table's last rows too: nothing left in a buffer
    refused = subprocess.run(
        [sys.executable, "-m", "tensorlings", "show", "no_such_exercise"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "no_such_exercise" in refused.stderr
