"""Loading a learner's file in a fresh child, skipping any statement that kills or hangs it.

Top-level statements share one time budget; past it, or once statements have ended the child a
few times, only definitions (imports, functions, classes) run from there on. A reload after a
crash runs what the first load ran, and no more.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from tensorlings.checker.results import LoadNote
from tensorlings.checker.sandbox import (
    GRACE,
    ChildDied,
    ChildHandle,
    ChildTimedOut,
    Limits,
    ZygoteHandle,
)
from tensorlings.checker.source import Workbook
from tensorlings.messages import ProtocolError, frames, replies
from tensorlings.messages.replies import LoadReply
from tensorlings.messages.requests import LoadRequest, Op, Unit

KILLS_BEFORE_DEFINITIONS_ONLY = 3
LOAD_FRAME = 16 * 1024**2


class LoadFailed(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def statement_lines(workbook: Workbook) -> frozenset[int]:
    return frozenset(
        node.lineno for cell in workbook.cells if cell.tree is not None for node in cell.tree.body
    )


@dataclass
class FileLoader:
    """Loads the file in a new child each time it is asked; keeps what loading found."""

    zygote: ZygoteHandle
    workbook: Workbook
    limits: Limits
    names: list[str]
    file_deadline: float
    skip_lines: set[int] = field(default_factory=set)
    notes: list[LoadNote] = field(default_factory=list)
    reply: LoadReply | None = None  # the last load's
    definitions_from: int | None = None  # from this line on only definitions run
    attempt_line: int | None = None  # the statement running when the attempt failed

    def load(self) -> ChildHandle:
        """A child with the file loaded; raises LoadFailed when no attempt succeeds."""
        lines = statement_lines(self.workbook)
        deadline = min(time.monotonic() + self.limits.load_seconds, self.file_deadline)
        kills = 0
        for _ in range(len(lines) + 3):
            try:
                return self._load_once(lines, deadline)
            except ChildTimedOut:
                line = self.attempt_line
                if line is None:
                    raise LoadFailed("the worker did not start loading in time", None) from None
                if time.monotonic() >= deadline and self.definitions_from is None:
                    self._definitions_only(line, "took more than the load budget")
                else:
                    self._skip(line, "timeout", "did not finish in time")
            except ChildDied as died:
                line = self.attempt_line
                if line is None:
                    raise LoadFailed(str(died), None) from None
                self._skip(line, _died_kind(died.status), f"ended the worker ({died})")
                kills += 1
                if kills >= KILLS_BEFORE_DEFINITIONS_ONLY and self.definitions_from is None:
                    self._definitions_only(line, "kept ending the worker")
            except ProtocolError as broke:
                line = self.attempt_line
                if line is None:
                    raise LoadFailed(f"the worker broke the protocol ({broke})", None) from None
                self._skip(line, "tampering", f"broke the checker's protocol ({broke})")
        raise LoadFailed("too many top-level statements end the process", None)

    @property
    def loaded(self) -> LoadReply:
        """What the last load of the file said (which functions exist, its notes...)."""
        assert self.reply is not None, "the file is loaded first"
        return self.reply

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

    def _load_once(self, lines: frozenset[int], deadline: float) -> ChildHandle:
        child = self.zygote.spawn(self.limits)
        self.attempt_line = None
        allowed = lines - self.skip_lines
        since = time.monotonic()
        # Definitions alone get a budget of their own: they must run for functions to exist.
        until = deadline if self.definitions_from is None else since + self.limits.load_seconds
        until = min(until + self.limits.statement_seconds + GRACE, self.file_deadline)
        request = LoadRequest(
            units=tuple(Unit(c.line, c.code) for c in self.workbook.cells if c.tree),
            filename=str(self.workbook.path.resolve()),
            skip_lines=tuple(sorted(self.skip_lines)),
            statement_seconds=self.limits.statement_seconds,
            budget_seconds=max(0.0, deadline - since),
            definitions_from=self.definitions_from,
            names=tuple(self.names),
        )
        got: list[LoadReply] = []

        def due() -> float:
            return min(since + self.limits.statement_seconds + GRACE, until)

        order: dict[Op, int | None] = {Op.STATEMENT: None, Op.DEFINITION: None}

        def handle(frame: Any) -> bool:
            nonlocal since
            step = frames.statement_op(frame)
            if step is not None:  # the statement starting now (then again, definitions alone)
                line = replies.statement_line(frame, allowed, order[step])
                order[step] = self.attempt_line = line
                since = time.monotonic()
                return False
            got.append(
                replies.parse_load_reply(
                    frame, frozenset(self.names), lines, self.limits.output_chars
                )
            )
            return True

        child.exchange(request.to_wire(), due, handle, LOAD_FRAME)
        self._loaded(got[0])
        return child

    def _loaded(self, reply: LoadReply) -> None:
        if self.reply is None:
            # What the audit hook refused at load is in the notes, at its statement's line.
            self.notes += [LoadNote(n.line, n.kind, n.message) for n in reply.notes]
            if reply.definitions_from is not None and self.definitions_from is None:
                # Reloads after a crash must run what this load ran, and no more.
                self.definitions_from = reply.definitions_from
        self.reply = reply


def _died_kind(status: int | None) -> str:
    return "exited" if status is not None and os.WIFEXITED(status) else "crashed"
