"""One run request on an exercise's channel: its frames, its deadlines and its memory verdict.

The child enforces its limits too (so that an honest timeout names its line), but nothing it
sends can extend a deadline here: each wait is bounded by a time computed in this process from
the request (per call, per exercise, per file). Every call sent gets an answer; one the child
never answered is `timeout`, `memory` or `crashed`, never skipped.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from tensorlings.catalogue import Catalogue
from tensorlings.checker import memory_verdict
from tensorlings.checker.exercise_process import (
    EXERCISE_BUDGET_CALLS,
    KILLED_FILE_PROCESS,
    ExerciseEnded,
    ExerciseProcess,
    request_id,
    tampering,
)
from tensorlings.checker.memory_verdict import MemoryState
from tensorlings.checker.results import Problem
from tensorlings.checker.sandbox import (
    GRACE,
    ChannelClosed,
    ChildDied,
    ChildHandle,
    ChildTimedOut,
    Limits,
    ZygoteHandle,
    describe_status,
)
from tensorlings.messages import ProtocolError, frames, replies
from tensorlings.messages.replies import CallResult, not_answered
from tensorlings.messages.requests import Call, RunRequest
from tensorlings.vocab import CallStatus, ProblemKind

RESULT_FRAME = 64 * 1024**2


class MemoryWatch:
    """The cgroup's counters around one run: whether memory, not slowness or a crash, ended a
    call (a blow-up is slow to fill memory on a busy machine, and its time limit can strike
    first)."""

    def __init__(self, zygote: ZygoteHandle, child: ChildHandle, allowance: int) -> None:
        self.zygote, self.child, self.allowance = zygote, child, allowance
        self.before = zygote.memory_state(child.pid, reset_peak=True)

    def reached(self) -> str | None:
        """Why memory ended the run; None when the counters show no blow-up."""
        child = self.child
        if child.memory_limit:  # seen by the zygote as it reaped the file's process
            return memory_verdict.REACHED_CAP
        after = MemoryState(self.before.events, 0, child.memory_peak, child.memory_file)
        if child.alive:
            after = self.zygote.memory_state(child.pid)
        return memory_verdict.blow_up(self.before, after, self.allowance)


@dataclass
class CallExchange:
    """Runs the calls of one exercise in its process and answers every one of them."""

    zygote: ZygoteHandle
    limits: Limits
    process: ExerciseProcess
    pack: Catalogue
    file_deadline: float

    def run(self, name: str, calls: list[Call], record: bool, seconds: float) -> list[CallResult]:
        child = self.process.file.child
        assert child is not None
        budget = seconds * EXERCISE_BUDGET_CALLS
        until = min(
            time.monotonic() + budget + seconds + GRACE, self.process.deadline, self.file_deadline
        )
        request = RunRequest(
            name=name,
            calls=tuple(calls),
            record=record,
            seconds=seconds,
            budget=budget,
            required=_required(self.pack, name) if record else (),
            rid=request_id(),
        )
        results: list[CallResult] = []
        last = time.monotonic()
        memory = MemoryWatch(self.zygote, child, self.limits.memory_bytes)

        def due() -> float:
            return min(last + seconds + GRACE, until)

        def handle(frame: Any) -> bool:
            nonlocal last
            arguments = len(calls[len(results)].args)
            results.append(
                frames.parse_result_frame(
                    frame, request.rid, len(results), self.limits.output_chars, arguments
                )
            )
            last = time.monotonic()
            return len(results) == len(calls)

        try:
            try:
                child.exchange(request.to_wire(), due, handle, RESULT_FRAME, on_channel=True)
            except ChannelClosed:
                self.process.closed_early()
        except ChildTimedOut:
            self.process.lost()
            if why := memory.reached():
                return answered(results, calls, CallStatus.MEMORY, why)
            return answered(results, calls, CallStatus.TIMEOUT, self._late_reason(seconds))
        except ChildDied as died:
            self.process.lost()
            if why := memory.reached():
                return answered(results, calls, CallStatus.MEMORY, why)
            # The file's process itself ended (an exercise's own crash reads as `ended`):
            # the function's code did that, whichever later call the signal landed on.
            status = describe_status(died.status)
            self.process.find(
                name, Problem(ProblemKind.CRASHED, f"{KILLED_FILE_PROCESS} ({status})")
            )
            return answered(results, calls, CallStatus.CRASHED, status)
        except ExerciseEnded as ended:
            self.process.name = None
            self.process.note_forged(name)
            if why := memory.reached():
                return answered(results, calls, CallStatus.MEMORY, why)
            return answered(results, calls, CallStatus.CRASHED, describe_status(ended.status))
        except ProtocolError as broke:
            self.process.lost()
            self.process.find(name, tampering(f"its process broke the checker's protocol: {broke}"))
            return answered(results, calls, CallStatus.CRASHED, "the worker broke the protocol")
        return self._settled(name, child, calls, results, memory)

    def _settled(
        self,
        name: str,
        child: ChildHandle,
        calls: list[Call],
        results: list[CallResult],
        memory: MemoryWatch,
    ) -> list[CallResult]:
        """Every call answered: log the tampering the child noticed, tell a memory blow-up
        from a timeout, and make sure the code did not stop the checker's own processes."""
        for result in results:
            for event in result.tampering:
                self.process.find(name, tampering(event))
        if any(r.status == CallStatus.TIMEOUT for r in results) and (why := memory.reached()):
            results = [_as_memory(r, why) for r in results]
        zygote, loaded = self.zygote.responsive(pid=child.pid)
        if not zygote:
            child.close()  # also replaces the zygote
            self.process.lost()
            message = "the function killed or stopped the checker's worker (its parent process)"
            return [not_answered(CallStatus.CRASHED, message) for _ in calls]
        if not loaded:
            child.close()
            self.process.lost()
            return [not_answered(CallStatus.CRASHED, KILLED_FILE_PROCESS) for _ in calls]
        return results

    def _late_reason(self, seconds: float) -> str:
        now = time.monotonic()
        if now >= self.file_deadline:
            return f"the check of this file took more than {self.limits.file_seconds:g} s in all"
        if now >= self.process.deadline:
            return "the checks of this exercise took too long in all"
        return f"no answer within {seconds:g} s (the checker's own clock)"


def answered(
    results: list[CallResult], calls: list[Call], status: CallStatus, why: str
) -> list[CallResult]:
    """Every call answered: the one in flight ended as `status`; later ones never ran."""
    if len(results) >= len(calls):
        return results
    later = f"not run: an earlier call of these checks ended as {status} ({why})"
    rest = [not_answered(status, later) for _ in calls[len(results) + 1 :]]
    return [*results, not_answered(status, why), *rest]


def _required(pack: Catalogue, name: str) -> tuple[tuple[str, ...], ...]:
    """The names of each call the exercise requires: the child marks their results, so that
    a required call counts only if it contributed to the returned value."""
    try:
        exercise = pack.get(name)
    except Exception:  # not an exercise of the catalogue: nothing is required
        return ()
    return tuple(tuple(rule.names) for rule in exercise.rules.required)


def _as_memory(result: CallResult, why: str) -> CallResult:
    """A call the child's own alarm stopped while the cgroup shows it filling memory."""
    if result.status != CallStatus.TIMEOUT:
        return result
    frames_ = result.error.frames if result.error is not None else ()
    error = replies.ErrorInfo("memory", "MemoryError", why, frames_)
    return dataclasses.replace(result, status=CallStatus.MEMORY, error=error)
