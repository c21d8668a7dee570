"""One exercise's own process, forked from the loaded file, and what the checker saw it do wrong.

Each exercise runs in a fresh process of its own, so nothing one exercise's code does reaches
another. The file's process confirms each end with an `ended` frame, sent before the exercise's
process exits; if the file's process died instead, the exercise's code killed it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from tensorlings.checker.results import Problem
from tensorlings.checker.sandbox import (
    GRACE,
    ChildDied,
    ChildHandle,
    ChildTimedOut,
    Limits,
    describe_status,
)
from tensorlings.messages import ProtocolError, frames
from tensorlings.messages.requests import ExerciseRequest
from tensorlings.vocab import ProblemKind

EXERCISE_BUDGET_CALLS = 4  # one run of an exercise's checks may take this many calls' time
EXERCISE_RUNS = 3  # an exercise's runs (checks, shrinking, coach) may take this many budgets
END_SECONDS = 5.0  # for an exercise's process to leave once told to
KILLED_FILE_PROCESS = "the function killed the process that holds the loaded file"
MAX_FINDINGS = 10  # per exercise


def request_id() -> str:
    """A fresh id for one request, that its replies must carry. Unguessable: learner code reads
    the ids of its own requests, never those the checker has yet to choose."""
    return secrets.token_hex(8)


class ExerciseEnded(Exception):
    """The file's process says the exercise's process ended before answering everything."""

    def __init__(self, status: int | None) -> None:
        super().__init__(describe_status(status))
        self.status = status


@dataclass
class FileProcess:
    """The child that holds the loaded file (None once lost: the next run loads it again)."""

    child: ChildHandle | None = None

    @property
    def live(self) -> bool:
        return self.child is not None and self.child.alive


def tampering(message: str) -> Problem:
    return Problem(
        ProblemKind.TAMPERING,
        f"{message}. The checker decides every verdict itself; interfering with it fails "
        "the exercise.",
    )


@dataclass
class ExerciseProcess:
    """The exercise whose process is live in the file's child, and its tampering log."""

    file: FileProcess
    limits: Limits
    name: str | None = None  # the exercise whose process is live in the child
    deadline: float = 0.0
    ending: bool = False  # its process was told to leave; its `ended` is unread
    rid: str = ""  # the id of the `exercise` request its `ended` frame must carry
    ended_status: int | None = None  # how the last exercise's process ended (None: it left)
    ended_forged: bool = False  # it wrote something else than "done" on its pipe
    findings: dict[str, list[Problem]] = field(default_factory=dict)

    def lost(self) -> None:
        """The file's process is gone (killed by the checker or by the code)."""
        self.file.child = None
        self.name = None

    def begin(self, name: str, load: Callable[[], None]) -> None:
        """End the previous exercise's process and start a fresh one from the loaded file
        (`load()` loads the file again first if its process is gone)."""
        if self.name is not None:
            self.end(self.name)  # its findings stay until it is finished
        self.await_ended()
        if not self.file.live:
            load()
        child = self.file.child
        assert child is not None
        self.rid = request_id()
        child.post(ExerciseRequest(name, self.rid).to_wire())
        child.open_channel()
        self.name = name
        runs = EXERCISE_RUNS * EXERCISE_BUDGET_CALLS + 1
        self.deadline = time.monotonic() + runs * self.limits.exercise_seconds + GRACE

    def finish(self, name: str) -> list[Problem]:
        """End `name`'s process (if live) and return what the checker saw it do wrong.

        The file's process confirms the end at once (before the exercise's process exits);
        if it died instead, the exercise's code killed it, even if it answered every call
        first (a signal takes a moment to land, so the check after each run can miss it)."""
        live = self.name == name and self.file.live
        self.end(name)
        if live and not self.await_ended():
            self.find(name, Problem(ProblemKind.CRASHED, KILLED_FILE_PROCESS))
        elif live:
            self.note_forged(name)
        return self.findings.pop(name, [])

    def find(self, name: str, problem: Problem) -> None:
        found = self.findings.setdefault(name, [])
        if problem.message not in (p.message for p in found) and len(found) < MAX_FINDINGS:
            found.append(problem)

    def note_forged(self, name: str) -> None:
        if self.ended_forged:
            self.ended_forged = False
            self.find(name, tampering("its process wrote on the pipe that says it is done"))

    def end(self, name: str) -> None:
        """Tell `name`'s process to leave: the file's process confirms with an `ended` frame
        (await_ended), sent before the exercise's process exits."""
        if self.name == name and self.file.child is not None and self.file.child.alive:
            self.name = None
            self.file.child.drop_channel()  # its process reads the end of it and leaves
            self.ending = True

    def closed_early(self) -> NoReturn:
        """The exercise's process closed its channel before answering every call: it ended.
        How, the file's process says; if it died as well, the exercise's code killed it."""
        self.ending = True
        if not self.await_ended():
            raise ChildDied(None)
        raise ExerciseEnded(self.ended_status)

    def await_ended(self) -> bool:
        """Read the `ended` frame of the exercise told to leave; False if the file's process
        died (or failed to say so) instead."""
        child = self.file.child
        if not self.ending:
            return child is not None and child.alive
        self.ending = False
        if child is None or not child.alive:
            return False
        until = time.monotonic() + END_SECONDS
        try:
            child.exchange(None, lambda: until, self._read_ended)
        except (ChildDied, ChildTimedOut, ProtocolError):
            self.lost()  # a fresh child is loaded for the next exercise
            return False
        return True

    def _read_ended(self, frame: Any) -> bool:
        ended = frames.parse_ended(frame, self.rid)
        self.ended_status, self.ended_forged = ended.status, ended.forged
        return True
