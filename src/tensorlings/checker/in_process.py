"""Run trusted code (a pack's reference, a declared mistake, a mutant) through the full judge in
this process, with the worker's own call runner and recorder: for authors' tests only.

It runs the function here, unisolated, so it must never be given learner code: learners'
checks, from the command line or a notebook, always go to the isolated worker.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tensorlings.checker.sandbox import Limits
from tensorlings.messages.replies import CallResult, LoadReply
from tensorlings.messages.requests import Call
from tensorlings.vocab import CallStatus
from tensorlings.worker import recorder
from tensorlings.worker.child import ChildProcess


@dataclass
class _Lines:
    """Just enough of a workbook for messages: where a line is and what it says."""

    source_file: str
    lines: list[str] = field(default_factory=list)

    def where(self, line: int) -> str:
        return f"line {line}"

    def line_text(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""


class InProcessRunner:
    """Runs probes on a live function in this process, with the worker's own call runner."""

    def __init__(self, fn: Any, name: str, limits: Limits) -> None:
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
        self.fn = fn
        self.limits = limits
        self.loaded = LoadReply(
            notes=(),
            functions={name: "function"},
            tensor_globals={},
            test_cases=None,
            reference_files_hidden=False,
            reference_files_why=None,
            output="",
        )
        try:
            text = Path(filename).read_text(encoding="utf-8").splitlines()
        except OSError:
            text = []
        self.workbook = _Lines(filename, text)
        self.child = ChildProcess(sock=None, output_limit=limits.output_chars)  # type: ignore[arg-type]
        self.child.filename = fn.__code__.co_filename
        self.child.recorder.learner_file = fn.__code__.co_filename
        self.wrapped = False
        self.coach = False  # timing against the reference needs the isolated worker

    def run(self, name: str, calls: list[Call], record: bool, seconds: float) -> list[CallResult]:
        if not self.wrapped:
            recorder.wrap_einops(self.child.recorder)
            self.wrapped = True
        results: list[CallResult] = []
        for call in calls:
            if results and results[-1].status == CallStatus.TIMEOUT:
                results.append(CallResult(CallStatus.NOT_RUN))  # one timeout is enough to know
            else:
                results.append(self.child.run_call(self.fn, call, record, seconds))
        return results
