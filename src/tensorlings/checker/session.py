"""A learner's file loaded in a live child, checked exercise by exercise: the rooms, together.

Each room has one job: loading the file (loading.py: retries, skipped statements, definitions
alone), one exercise's own process and its tampering log (exercise_process.py), a run's
exchange with its deadlines and memory verdict (call_exchange.py), and the reference's timings
in a trusted child (reference_timing.py). Every limit is kept by the checker's own clock;
every call sent gets an answer; each exercise runs in its own process, forked from the loaded
file, so nothing one exercise's code does reaches another.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tensorlings import catalogue
from tensorlings.catalogue import Catalogue
from tensorlings.checker.call_exchange import CallExchange
from tensorlings.checker.coach import REPEATS as COACH_REPEATS
from tensorlings.checker.exercise_process import ExerciseProcess, FileProcess, request_id
from tensorlings.checker.loading import FileLoader, LoadFailed
from tensorlings.checker.reference_timing import ReferenceTimer
from tensorlings.checker.results import LoadNote, Problem
from tensorlings.checker.sandbox import ChildDied, ChildTimedOut, Limits, ZygoteHandle
from tensorlings.checker.source import Workbook
from tensorlings.messages import ProtocolError
from tensorlings.messages.frames import Profiled
from tensorlings.messages.replies import CallResult, LoadReply, not_answered
from tensorlings.messages.requests import Call
from tensorlings.vocab import CallStatus

__all__ = ["LoadFailed", "Session", "request_id"]


@dataclass
class Session:
    """A loaded file in a live child, reloaded transparently after a crash."""

    zygote: ZygoteHandle
    workbook: Workbook
    limits: Limits
    names: list[str]
    coach: bool = True  # time passing solutions against the reference (costs a little)
    coach_timing: bool = True  # False: the coach gives memory advice only (grade's default)
    catalogue: Catalogue = field(default_factory=catalogue.sheet)  # the pack being checked
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.file = FileProcess()
        self.loader = FileLoader(
            self.zygote, self.workbook, self.limits, self.names, self.file_deadline
        )
        self.process = ExerciseProcess(self.file, self.limits)
        self.calls = CallExchange(
            self.zygote, self.limits, self.process, self.catalogue, self.file_deadline
        )
        self.reference = ReferenceTimer(self.zygote, self.limits, self.catalogue)

    @property
    def file_deadline(self) -> float:
        return self.started + self.limits.file_seconds

    @property
    def skip_lines(self) -> set[int]:
        """Top-level lines not to run (the checker's own choice, and those that failed)."""
        return self.loader.skip_lines

    @property
    def notes(self) -> list[LoadNote]:
        return self.loader.notes

    @property
    def loaded(self) -> LoadReply:
        """What the last load of the file said (which functions exist, its notes...)."""
        return self.loader.loaded

    def load(self) -> None:
        """Load the file in a fresh child (loading.py); raises LoadFailed."""
        self.file.child = None
        self.process.name, self.process.ending = None, False
        self.file.child = self.loader.load()

    def run(self, name: str, calls: list[Call], record: bool, seconds: float) -> list[CallResult]:
        """Results of calling the learner's `name` once per call, one per call, always."""
        if time.monotonic() >= self.file_deadline:
            why = f"not run: the check of this file took more than {self.limits.file_seconds:g} s"
            return [not_answered(CallStatus.TIMEOUT, why) for _ in calls]
        try:
            if not self.file.live:
                self.load()
            answered = self._constant_answers(name, calls, record)
            if answered is not None:
                return answered
            if self.process.name != name:
                self.process.begin(name, self.load)
        except (LoadFailed, ChildDied, ChildTimedOut, ProtocolError) as error:
            self.file.child = None
            why = f"the file could not be loaded again for this exercise ({error})"
            return [not_answered(CallStatus.CRASHED, why) for _ in calls]
        return self.calls.run(name, calls, record, seconds)

    def _constant_answers(
        self, name: str, calls: list[Call], record: bool
    ) -> list[CallResult] | None:
        """The results of calls with no arguments of a function that only returns a literal,
        as the load reported it (worker/constant_return.py), with no process started: what a
        call would have sent back. None: the calls run in the exercise's process."""
        loaded = self.loaded
        constant = loaded.constants.get(name)
        if constant is None or record or loaded.tampering:
            return None  # a recorded run, or a load that interfered, runs as usual
        plain = all(
            not call.args and call.grad_seed is None and not call.profile and call.device == "cpu"
            for call in calls
        )
        return [CallResult(CallStatus.OK.value, output=constant) for _ in calls] if plain else None

    def finish_exercise(self, name: str) -> list[Problem]:
        """End `name`'s process (if live) and return what the checker saw it do wrong."""
        return self.process.finish(name)

    def profile_reference(
        self, exercise_id: str, args: list[object], seed: int, repeats: int = COACH_REPEATS
    ) -> Profiled:
        """Timings of the reference, measured in a trusted child like the learner's code (with
        memory advice alone, its peaks as measured before in this process, if they were)."""
        return self.reference.profile(exercise_id, args, seed, repeats, not self.coach_timing)

    def close(self) -> None:
        """End both children without waiting for them: every verdict is in already."""
        for child in (self.file.child, self.reference.child):
            if child is not None and child.alive:
                child.dismiss()
