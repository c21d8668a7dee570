"""A `tensorlings` command run through `main()` in the test's own process.

A subprocess pays a Python start and torch's import (about 2.5 s of CPU here) before it does
anything, and a check in it starts a worker of its own (the same again). A test that is not
about the process boundary runs the command in place instead: in its own folder and
environment, with its output captured, and a check in the worker it is given. A test that is
about the boundary (exit status, teardown, signals, a fresh import of a changed pack) runs a
subprocess.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class CommandRun:
    """What one command returned and printed (the fields a CompletedProcess has)."""

    returncode: int
    stdout: str
    stderr: str


RunCommand = Callable[..., CommandRun]


def run_main(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    env: dict[str, str] | None,
    worker: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> CommandRun:
    """Run `tensorlings ARGS` in `cwd` with `env` added, a check in `worker`. Folder,
    environment and worker are put back after."""
    from tensorlings.cli import main

    out, err = io.StringIO(), io.StringIO()
    with monkeypatch.context() as patch:
        patch.chdir(cwd)
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        check_in(worker, patch)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as exit:  # argparse's own usage errors
                code = exit.code if isinstance(exit.code, int) else int(bool(exit.code))
    return CommandRun(code, out.getvalue(), err.getvalue())


def check_in(worker: Any, patch: pytest.MonkeyPatch) -> None:
    """Every check `main()` starts from now on runs in `worker`, which stays open after it."""
    from tensorlings import learner

    patch.setattr(learner, "open_checker", lambda: contextlib.nullcontext(worker))
