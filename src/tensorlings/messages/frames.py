"""The child's small frames (a statement starting, a call's result, an exercise's end, the
reference's timings) as records: built by the child, checked once by the checker.

Each parser takes what the checker itself knows (the request id it chose, the index it waits
for) and raises ProtocolError for anything an honest child never sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tensorlings.messages import ProtocolError, replies
from tensorlings.messages.replies import CallResult
from tensorlings.messages.requests import Op, op_of

MAX_REPEATS = 20  # reference timings in one profile reply


@dataclass(frozen=True)
class Statement:
    """A top-level statement starts now (`again`: definitions alone run a second time)."""

    line: int
    again: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {"op": Op.DEFINITION if self.again else Op.STATEMENT, "line": self.line}


def statement_op(raw: Any) -> Op | None:
    """STATEMENT or DEFINITION when `raw` says a statement starts; None for any other frame."""
    op = op_of(raw)
    return op if op in (Op.STATEMENT, Op.DEFINITION) else None


@dataclass(frozen=True)
class ResultFrame:
    """The answer to the `index`th call of the run request `rid`."""

    index: int
    rid: str
    result: CallResult

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": Op.RESULT,
            "index": self.index,
            "rid": self.rid,
            "result": self.result.to_wire(),
        }


def parse_result_frame(
    raw: Any, rid: str, index: int, output_chars: int, arguments: int
) -> CallResult:
    """The result of call `index` of the request `rid`, which has `arguments` arguments."""
    if op_of(raw) is not Op.RESULT:
        raise ProtocolError("expected a `result` frame")
    if raw.get("rid") != rid:
        raise ProtocolError("a result frame answers another request")
    if raw.get("index") != index:
        raise ProtocolError("a result frame is out of order")
    return replies.parse_call_result(raw.get("result"), output_chars, arguments)


@dataclass(frozen=True)
class Ended:
    """How an exercise's process ended (status None: it said it was done and left), and
    whether something else than "done" came on its pipe."""

    rid: str
    status: int | None
    forged: bool

    def to_wire(self) -> dict[str, Any]:
        return {"op": Op.ENDED, "status": self.status, "forged": self.forged, "rid": self.rid}


def parse_ended(raw: Any, rid: str) -> Ended:
    """The `ended` frame of the exercise's process started by the request `rid`."""
    if op_of(raw) is not Op.ENDED:
        raise ProtocolError("expected the `ended` frame of an exercise's process")
    if raw.get("rid") != rid:
        raise ProtocolError("an `ended` frame answers another request")
    status = raw.get("status")
    if status is not None and type(status) is not int:
        raise ProtocolError("the exit status is not an integer")
    forged = raw.get("forged", False)
    if type(forged) is not bool:
        raise ProtocolError("`forged` is not a boolean")
    return Ended(rid, status, forged)


@dataclass(frozen=True)
class Profiled:
    """The reference's timings, one entry per repeat."""

    seconds: tuple[float, ...] = ()
    cpu_seconds: tuple[float, ...] = ()
    peaks: tuple[int, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": Op.PROFILED,
            "seconds": list(self.seconds),
            "cpu_seconds": list(self.cpu_seconds),
            "peaks": list(self.peaks),
        }


def parse_profiled(raw: Any) -> Profiled:
    """The trusted child's timings (it never loads learner code; checked all the same)."""
    if not isinstance(raw, dict):
        raise ProtocolError("the profile reply is not an object")
    return Profiled(
        seconds=tuple(_seconds(raw.get("seconds"), "seconds")),
        cpu_seconds=tuple(_seconds(raw.get("cpu_seconds"), "CPU seconds")),
        peaks=tuple(replies.integer(p, "a peak") for p in replies.items(raw.get("peaks"), 20)),
    )


def _seconds(raw: Any, what: str) -> list[float]:
    return [replies.number(s, what) for s in replies.items(raw, MAX_REPEATS)]
