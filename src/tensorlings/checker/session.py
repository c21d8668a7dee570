"""A learner's file loaded in a live child, with every limit kept by the checker's own clock.

The child enforces its limits too (so that an honest timeout names its line), but nothing it
sends can extend a deadline here: each wait is bounded by a time computed in this process from
the request (per call, per exercise, per load, per file). Every call sent gets an answer; one
the child never answered is `timeout` or `crashed`, never skipped. Each exercise runs in its
own process, forked from the loaded file, so nothing one exercise's code does reaches another.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from tensorlings import catalogue
from tensorlings.catalogue import Catalogue
from tensorlings.checker import memory_verdict, replies
from tensorlings.checker.coach import REPEATS as COACH_REPEATS
from tensorlings.checker.memory_verdict import MemoryState
from tensorlings.checker.replies import CallResult, LoadReply, ProtocolViolation, not_answered
from tensorlings.checker.results import LoadNote, Problem
from tensorlings.checker.sandbox import (
    ChannelClosed,
    ChildBrokeProtocol,
    ChildDied,
    ChildTimedOut,
    Limits,
    Zygote,
    describe_status,
)
from tensorlings.checker.source import Workbook
from tensorlings.vocab import CallStatus, ProblemKind

GRACE = 3.0  # seconds beyond a limit the child keeps itself (a loaded machine is slow)
EXERCISE_BUDGET_CALLS = 4  # one run of an exercise's checks may take this many calls' time
EXERCISE_RUNS = 3  # an exercise's runs (checks, shrinking, coach) may take this many budgets
KILLS_BEFORE_DEFINITIONS_ONLY = 3
RESULT_FRAME = 64 * 1024**2
LOAD_FRAME = 16 * 1024**2
END_SECONDS = 5.0  # for an exercise's process to leave once told to
KILLED_FILE_PROCESS = "the function killed the process that holds the loaded file"


class LoadFailed(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class _ExerciseEnded(Exception):
    """The file's process says the exercise's process ended before answering everything."""

    def __init__(self, status: int | None) -> None:
        super().__init__(describe_status(status))
        self.status = status


def statement_lines(workbook: Workbook) -> frozenset[int]:
    return frozenset(
        node.lineno for cell in workbook.cells if cell.tree is not None for node in cell.tree.body
    )


def request_id() -> str:
    """A fresh id for one request, that its replies must carry. Unguessable: learner code reads
    the ids of its own requests, never those the checker has yet to choose."""
    return secrets.token_hex(8)


def _ended_status(frame: Any, rid: str) -> int | None:
    if not isinstance(frame, dict) or frame.get("op") != "ended":
        raise ProtocolViolation("expected the `ended` frame of an exercise's process")
    if frame.get("rid") != rid:
        raise ProtocolViolation("an `ended` frame answers another request")
    status = frame.get("status")
    if status is not None and type(status) is not int:
        raise ProtocolViolation("the exit status is not an integer")
    return status


@dataclass
class Session:
    """A loaded file in a live child, reloaded transparently after a crash."""

    zygote: Zygote
    workbook: Workbook
    limits: Limits
    names: list[str]
    skip_lines: set[int] = field(default_factory=set)
    notes: list[LoadNote] = field(default_factory=list)
    loaded: dict[str, Any] = field(default_factory=dict)  # the judges' view of `reply`
    reply: LoadReply | None = None
    child: Any = None
    reference_child: Any = None
    coach: bool = True  # time passing solutions against the reference (costs a little)
    coach_timing: bool = True  # False: the coach gives memory advice only (grade's default)
    definitions_from: int | None = None  # from this line on only definitions run
    started: float = field(default_factory=time.monotonic)
    exercise: str | None = None  # the exercise whose process is live in the child
    exercise_deadline: float = 0.0
    findings: dict[str, list[Problem]] = field(default_factory=dict)
    ending: bool = False  # an exercise's process was told to leave; its `ended` is unread
    exercise_rid: str = ""  # the id of the `exercise` request its `ended` frame must carry
    ended_status: int | None = None  # how the last exercise's process ended (None: it left)
    ended_forged: bool = False  # it wrote something else than "done" on its pipe
    catalogue: Catalogue = field(default_factory=catalogue.sheet)  # the pack being checked

    @property
    def file_deadline(self) -> float:
        return self.started + self.limits.file_seconds

    # --- Loading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Load the file, skipping any statement that kills or hangs the child.

        Top-level statements share one time budget; past it, or once statements have ended the
        child a few times, only definitions (imports, functions, classes) run from there on.
        """
        lines = statement_lines(self.workbook)
        deadline = min(time.monotonic() + self.limits.load_seconds, self.file_deadline)
        kills = 0
        for _ in range(len(lines) + 3):
            try:
                self._load_once(lines, deadline)
                return
            except ChildTimedOut:
                line = self._attempt_line
                if line is None:
                    raise LoadFailed("the worker did not start loading in time", None) from None
                if time.monotonic() >= deadline and self.definitions_from is None:
                    self._definitions_only(line, "took more than the load budget")
                else:
                    self._skip(line, "timeout", "did not finish in time")
            except ChildDied as died:
                line = self._attempt_line
                if line is None:
                    raise LoadFailed(str(died), None) from None
                self._skip(line, _died_kind(died.status), f"ended the worker ({died})")
                kills += 1
                if kills >= KILLS_BEFORE_DEFINITIONS_ONLY and self.definitions_from is None:
                    self._definitions_only(line, "kept ending the worker")
            except ChildBrokeProtocol as broke:
                line = self._attempt_line
                if line is None:
                    raise LoadFailed(f"the worker broke the protocol ({broke})", None) from None
                self._skip(line, "tampering", f"broke the checker's protocol ({broke})")
        raise LoadFailed("too many top-level statements end the process", None)

    def _skip(self, line: int, kind: str, why: str) -> None:
        self.notes.append(LoadNote(line, kind, f"this statement {why}; it was skipped"))
        self.skip_lines.add(line)

    def _definitions_only(self, line: int, why: str) -> None:
        self.notes.append(
            LoadNote(
                line,
                "timeout",
                f"the file's top-level statements {why} (a budget of "
                f"{self.limits.load_seconds:g} s in all): from here on only imports and "
                "definitions ran; the functions are still judged",
            )
        )
        self.definitions_from = line

    def _load_once(self, lines: frozenset[int], deadline: float) -> None:
        self.child = self.zygote.spawn(self.limits)
        self.exercise = None
        self.ending = False
        self._attempt_line: int | None = None
        allowed = lines - self.skip_lines
        since = time.monotonic()
        # Definitions alone get a budget of their own: they must run for functions to exist.
        until = deadline if self.definitions_from is None else since + self.limits.load_seconds
        until = min(until + self.limits.statement_seconds + GRACE, self.file_deadline)
        request = {
            "op": "load",
            "units": [{"line": c.line, "code": c.code} for c in self.workbook.cells if c.tree],
            "filename": str(self.workbook.path.resolve()),
            "skip_lines": sorted(self.skip_lines),
            "statement_seconds": self.limits.statement_seconds,
            "budget_seconds": max(0.0, deadline - since),
            "definitions_from": self.definitions_from,
            "names": self.names,
        }
        got: list[LoadReply] = []

        def due() -> float:
            return min(since + self.limits.statement_seconds + GRACE, until)

        order: dict[str, int | None] = {"statement": None, "definition": None}

        def handle(frame: Any) -> bool:
            nonlocal since
            step = frame.get("op") if isinstance(frame, dict) else None
            if step in order:  # the statement starting now (then again, definitions alone)
                line = replies.statement_line(frame, allowed, order[step])
                order[step] = self._attempt_line = line
                since = time.monotonic()
                return False
            got.append(
                replies.parse_load_reply(
                    frame, frozenset(self.names), lines, self.limits.output_chars
                )
            )
            return True

        self.child.exchange(request, due, handle, LOAD_FRAME)
        self._loaded(got[0])

    def _loaded(self, reply: LoadReply) -> None:
        if self.reply is None:
            # What the audit hook refused at load is in the notes, at its statement's line.
            self.notes += list(reply.notes)
            if reply.definitions_from is not None and self.definitions_from is None:
                # Reloads after a crash must run what this load ran, and no more.
                self.definitions_from = reply.definitions_from
        self.reply = reply
        self.loaded = reply.as_dict()

    # --- Running ------------------------------------------------------------------------------

    def run(
        self, name: str, calls: list[dict[str, Any]], record: bool, seconds: float
    ) -> list[Any]:
        """Results of calling the learner's `name` once per call, one per call, always.

        Returned as dicts in the shape the judges read today (CallResult.as_dict): a
        transition until the judges take the validated records themselves."""
        return [r.as_dict() for r in self.run_records(name, calls, record, seconds)]

    def run_records(
        self, name: str, calls: list[dict[str, Any]], record: bool, seconds: float
    ) -> list[CallResult]:
        if time.monotonic() >= self.file_deadline:
            why = f"not run: the check of this file took more than {self.limits.file_seconds:g} s"
            return [not_answered(CallStatus.TIMEOUT, why) for _ in calls]
        try:
            if self.child is None or not self.child.alive:
                self.load()
            if self.exercise != name:
                self._begin(name)
        except (LoadFailed, ChildDied, ChildTimedOut, ChildBrokeProtocol) as error:
            self.child = None
            why = f"the file could not be loaded again for this exercise ({error})"
            return [not_answered(CallStatus.CRASHED, why) for _ in calls]
        return self._exchange_run(name, calls, record, seconds)

    def _exchange_run(
        self, name: str, calls: list[dict[str, Any]], record: bool, seconds: float
    ) -> list[CallResult]:
        budget = seconds * EXERCISE_BUDGET_CALLS
        until = min(
            time.monotonic() + budget + seconds + GRACE, self.exercise_deadline, self.file_deadline
        )
        request = {
            "op": "run",
            "name": name,
            "calls": calls,
            "record": record,
            "seconds": seconds,
            "budget": budget,
            "required": _required(self.catalogue, name) if record else [],
            "rid": request_id(),
        }
        results: list[CallResult] = []
        last = time.monotonic()
        child = self.child
        memory_before = self.zygote.memory_state(child.pid, reset_peak=True)

        def hit_memory_cap() -> str | None:
            """Why memory, not slowness or a crash, ended the call (the cgroup's counters)."""
            if child.memory_limit:  # seen by the zygote as it reaped the file's process
                return memory_verdict.REACHED_CAP
            after = MemoryState(memory_before.events, 0, child.memory_peak, child.memory_file)
            if child.alive:
                after = self.zygote.memory_state(child.pid)
            return memory_verdict.blow_up(memory_before, after, self.limits.memory_bytes)

        def due() -> float:
            return min(last + seconds + GRACE, until)

        def handle(frame: Any) -> bool:
            nonlocal last
            if not isinstance(frame, dict) or frame.get("op") != "result":
                raise ProtocolViolation("expected a `result` frame")
            if frame.get("rid") != request["rid"]:
                raise ProtocolViolation("a result frame answers another request")
            if frame.get("index") != len(results):
                raise ProtocolViolation("a result frame is out of order")
            arguments = len(calls[len(results)].get("args", []))
            results.append(
                replies.parse_call_result(frame.get("result"), self.limits.output_chars, arguments)
            )
            last = time.monotonic()
            return len(results) == len(calls)

        try:
            try:
                self.child.exchange(request, due, handle, RESULT_FRAME, on_channel=True)
            except ChannelClosed:
                self._closed_early()
        except ChildTimedOut:
            self._lost()
            if memory := hit_memory_cap():
                return self._answered(results, calls, CallStatus.MEMORY, memory)
            return self._answered(results, calls, CallStatus.TIMEOUT, self._late_reason(seconds))
        except ChildDied as died:
            self._lost()
            if memory := hit_memory_cap():
                return self._answered(results, calls, CallStatus.MEMORY, memory)
            # The file's process itself ended (an exercise's own crash reads as `ended`):
            # the function's code did that, whichever later call the signal landed on.
            self._find(
                name,
                Problem(
                    ProblemKind.CRASHED, f"{KILLED_FILE_PROCESS} ({describe_status(died.status)})"
                ),
            )
            return self._answered(results, calls, CallStatus.CRASHED, describe_status(died.status))
        except _ExerciseEnded as ended:
            self.exercise = None
            self._note_forged(name)
            if memory := hit_memory_cap():
                return self._answered(results, calls, CallStatus.MEMORY, memory)
            return self._answered(results, calls, CallStatus.CRASHED, describe_status(ended.status))
        except ChildBrokeProtocol as broke:
            self._lost()
            self._find(name, _tampering(f"its process broke the checker's protocol: {broke}"))
            return self._answered(
                results, calls, CallStatus.CRASHED, "the worker broke the protocol"
            )
        for result in results:
            for event in result.tampering:
                self._find(name, _tampering(event))
        if any(r.status is CallStatus.TIMEOUT for r in results) and (memory := hit_memory_cap()):
            results = [_as_memory(r, memory) for r in results]
        zygote, loaded = self.zygote.responsive(pid=self.child.pid)
        if not zygote:
            self.child.close()  # also replaces the zygote
            self._lost()
            message = "the function killed or stopped the checker's worker (its parent process)"
            return [not_answered(CallStatus.CRASHED, message) for _ in calls]
        if not loaded:
            self.child.close()
            self._lost()
            return [not_answered(CallStatus.CRASHED, KILLED_FILE_PROCESS) for _ in calls]
        return results

    def _late_reason(self, seconds: float) -> str:
        now = time.monotonic()
        if now >= self.file_deadline:
            return f"the check of this file took more than {self.limits.file_seconds:g} s in all"
        if now >= self.exercise_deadline:
            return "the checks of this exercise took too long in all"
        return f"no answer within {seconds:g} s (the checker's own clock)"

    @staticmethod
    def _answered(
        results: list[CallResult], calls: list[Any], status: CallStatus, why: str
    ) -> list[CallResult]:
        """Every call answered: the one in flight ended as `status`; later ones never ran."""
        if len(results) >= len(calls):
            return results
        later = f"not run: an earlier call of these checks ended as {status} ({why})"
        rest = [not_answered(status, later) for _ in calls[len(results) + 1 :]]
        return [*results, not_answered(status, why), *rest]

    def _lost(self) -> None:
        self.child = None
        self.exercise = None

    def _find(self, name: str, problem: Problem) -> None:
        found = self.findings.setdefault(name, [])
        if problem.message not in (p.message for p in found) and len(found) < 10:
            found.append(problem)

    def _begin(self, name: str) -> None:
        """End the previous exercise's process and start a fresh one from the loaded file."""
        if self.exercise is not None:
            self._end_exercise(self.exercise)  # its findings stay until it is finished
        self._await_ended()
        if self.child is None or not self.child.alive:
            self.load()
        self.exercise_rid = request_id()
        self.child.post({"op": "exercise", "name": name, "rid": self.exercise_rid})
        self.child.open_channel()
        self.exercise = name
        runs = EXERCISE_RUNS * EXERCISE_BUDGET_CALLS + 1
        self.exercise_deadline = time.monotonic() + runs * self.limits.exercise_seconds + GRACE

    def finish_exercise(self, name: str) -> list[Problem]:
        """End `name`'s process (if live) and return what the checker saw it do wrong.

        The file's process confirms the end at once (before the exercise's process exits);
        if it died instead, the exercise's code killed it, even if it answered every call
        first (a signal takes a moment to land, so the check after each run can miss it)."""
        live = self.exercise == name and self.child is not None and self.child.alive
        self._end_exercise(name)
        if live and not self._await_ended():
            self._find(name, Problem(ProblemKind.CRASHED, KILLED_FILE_PROCESS))
        elif live:
            self._note_forged(name)
        return self.findings.pop(name, [])

    def _note_forged(self, name: str) -> None:
        if self.ended_forged:
            self.ended_forged = False
            self._find(name, _tampering("its process wrote on the pipe that says it is done"))

    def _end_exercise(self, name: str) -> None:
        """Tell `name`'s process to leave: the file's process confirms with an `ended` frame
        (_await_ended), sent before the exercise's process exits."""
        if self.exercise == name and self.child is not None and self.child.alive:
            self.exercise = None
            self.child.drop_channel()  # its process reads the end of it and leaves
            self.ending = True

    def _closed_early(self) -> None:
        """The exercise's process closed its channel before answering every call: it ended.
        How, the file's process says; if it died as well, the exercise's code killed it."""
        self.ending = True
        if not self._await_ended():
            raise ChildDied(None)
        raise _ExerciseEnded(self.ended_status)

    def _await_ended(self) -> bool:
        """Read the `ended` frame of the exercise told to leave; False if the file's process
        died (or failed to say so) instead."""
        if not self.ending:
            return self.child is not None and self.child.alive
        self.ending = False
        if self.child is None or not self.child.alive:
            return False
        until = time.monotonic() + END_SECONDS
        try:
            self.child.exchange(None, lambda: until, self._read_ended)
        except (ChildDied, ChildTimedOut, ChildBrokeProtocol):
            self._lost()  # a fresh child is loaded for the next exercise
            return False
        return True

    def _read_ended(self, frame: Any) -> bool:
        self.ended_status = _ended_status(frame, self.exercise_rid)
        forged = frame.get("forged", False)
        if type(forged) is not bool:
            raise ProtocolViolation("`forged` is not a boolean")
        self.ended_forged = forged
        return True

    def profile_reference(
        self, exercise_id: str, args: list[Any], seed: int, repeats: int = COACH_REPEATS
    ) -> dict[str, Any]:
        """Timings of the reference, measured in a trusted child like the learner's code."""
        if self.reference_child is None or not self.reference_child.alive:
            self.reference_child = self.zygote.spawn(self.limits, trusted=True)
        request = {
            "op": "profile",
            "exercise": exercise_id,
            "pack": self.catalogue.path or self.catalogue.name,
            "args": args,
            "seed": seed,
            "repeats": repeats,
        }
        got: list[dict[str, Any]] = []
        until = time.monotonic() + 30

        def handle(frame: Any) -> bool:
            got.append(_profile(frame))
            return True

        try:
            self.reference_child.exchange(request, lambda: until, handle)
        except (ChildDied, ChildTimedOut, ChildBrokeProtocol):
            self.reference_child = None
            return {}
        return got[0]

    def close(self) -> None:
        """End both children without waiting for them: every verdict is in already."""
        for child in (self.child, self.reference_child):
            if child is not None and child.alive:
                child.dismiss()


def _required(pack: Catalogue, name: str) -> list[list[str]]:
    """The names of each call the exercise requires: the child marks their results, so that
    a required call counts only if it contributed to the returned value."""
    try:
        exercise = pack.get(name)
    except Exception:  # not an exercise of the catalogue: nothing is required
        return []
    return [list(rule.names) for rule in exercise.rules.required]


def _profile(frame: Any) -> dict[str, Any]:
    """The trusted child's timings (it never loads learner code; checked all the same)."""
    if not isinstance(frame, dict):
        raise ProtocolViolation("the profile reply is not an object")
    seconds = [replies.number(s, "seconds") for s in replies.items(frame.get("seconds"), 20)]
    cpu = [replies.number(s, "CPU seconds") for s in replies.items(frame.get("cpu_seconds"), 20)]
    peaks = [replies.integer(p, "a peak") for p in replies.items(frame.get("peaks"), 20)]
    return {"op": "profiled", "seconds": seconds, "cpu_seconds": cpu, "peaks": peaks}


def _as_memory(result: CallResult, why: str) -> CallResult:
    """A call the child's own alarm stopped while the cgroup shows it filling memory."""
    if result.status is not CallStatus.TIMEOUT:
        return result
    frames = result.error.frames if result.error is not None else ()
    error = replies.ErrorInfo("memory", "MemoryError", why, frames)
    return dataclasses.replace(result, status=CallStatus.MEMORY, error=error)


def _tampering(message: str) -> Problem:
    return Problem(
        ProblemKind.TAMPERING,
        f"{message}. The checker decides every verdict itself; interfering with it fails "
        "the exercise.",
    )


def _died_kind(status: int | None) -> str:
    return "exited" if status is not None and os.WIFEXITED(status) else "crashed"
