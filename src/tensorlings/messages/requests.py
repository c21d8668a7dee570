"""Every op of the protocol, and the requests the checker sends, as frozen records.

The checker builds a request record and sends `to_wire()`; the process that receives it reads
it back with `from_wire`. Requests come from the trusted side, yet a malformed one still ends
in ProtocolError rather than a KeyError deep in the child.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from tensorlings.messages import ProtocolError


class Op(str, Enum):
    """What a frame is. A str, so that it goes on the wire as its value unchanged."""

    # The checker to a file's process, and its answers.
    LOAD = "load"
    STATEMENT = "statement"  # a top-level statement starts now
    DEFINITION = "definition"  # the same, when definitions alone run again
    LOADED = "loaded"
    EXERCISE = "exercise"  # start an exercise's process (its channel follows)
    ENDED = "ended"  # how that process ended
    # The checker to an exercise's process, and its answers (one per call).
    RUN = "run"
    RESULT = "result"
    # The checker to a trusted child, which times the reference.
    PROFILE = "profile"
    PROFILED = "profiled"
    # The checker to the zygote.
    SPAWN = "spawn"
    KILL = "kill"
    WAIT = "wait"
    DISMISS = "dismiss"
    PING = "ping"
    KEEP = "keep"  # make these recipes once, for every child forked from then on
    QUIT = "quit"


# Read with dict.get (C) in the child: after learner code has loaded there, no enum machinery
# (Python code it could have patched) runs to tell one op from another.
_OPS: dict[Any, Op] = {op.value: op for op in Op}


def op_of(raw: Any) -> Op | None:
    """The op a frame names, None when it names none."""
    if type(raw) is not dict:
        return None
    name = raw.get("op")
    return _OPS.get(name) if type(name) is str else None


def _field(raw: Any, name: str, kind: type | tuple[type, ...]) -> Any:
    value = raw.get(name) if type(raw) is dict else None
    if not isinstance(value, kind) or type(value) is bool:
        raise ProtocolError(f"the request's {name!r} is missing or of the wrong type")
    return value


def _expect(raw: Any, op: Op) -> Mapping[str, Any]:
    if op_of(raw) is not op:
        raise ProtocolError(f"expected a {op.value!r} request")
    return raw


@dataclass(frozen=True)
class Unit:
    """One cell of the learner's file: its code and the line it starts at."""

    line: int
    code: str

    def to_wire(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code}


@dataclass(frozen=True)
class LoadRequest:
    """Load the learner's file in a file's process, skipping the lines given."""

    op: ClassVar[Op] = Op.LOAD
    units: tuple[Unit, ...]
    filename: str
    skip_lines: tuple[int, ...]
    statement_seconds: float
    budget_seconds: float
    definitions_from: int | None
    names: tuple[str, ...]  # the names whose kind (function or not) the reply says

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "units": [u.to_wire() for u in self.units],
            "filename": self.filename,
            "skip_lines": list(self.skip_lines),
            "statement_seconds": self.statement_seconds,
            "budget_seconds": self.budget_seconds,
            "definitions_from": self.definitions_from,
            "names": list(self.names),
        }

    @classmethod
    def from_wire(cls, raw: Any) -> LoadRequest:
        data = _expect(raw, cls.op)
        units = tuple(
            Unit(_field(u, "line", int), _field(u, "code", str))
            for u in _field(data, "units", list)
        )
        cut = data.get("definitions_from")
        return cls(
            units=units,
            filename=_field(data, "filename", str),
            skip_lines=tuple(data.get("skip_lines", ())),
            statement_seconds=float(_field(data, "statement_seconds", (int, float))),
            budget_seconds=float(data.get("budget_seconds", 1e9)),
            definitions_from=cut if type(cut) is int else None,
            names=tuple(str(n) for n in _field(data, "names", list)),
        )

    def units_as_data(self) -> list[dict[str, Any]]:
        """The cells in the shape the loader and the recorder read."""
        return [u.to_wire() for u in self.units]


@dataclass(frozen=True)
class ExerciseRequest:
    """Start a fresh process for one exercise; its `ended` frame carries `rid`."""

    op: ClassVar[Op] = Op.EXERCISE
    name: str
    rid: str

    def to_wire(self) -> dict[str, Any]:
        return {"op": self.op, "name": self.name, "rid": self.rid}

    @classmethod
    def from_wire(cls, raw: Any) -> ExerciseRequest:
        data = _expect(raw, cls.op)
        return cls(_field(data, "name", str), _field(data, "rid", str))


DEFAULT_MAX_BYTES = 2 << 20  # the largest returned value the child encodes in full


@dataclass(frozen=True)
class Call:
    """One call of the learner's function; `args` and `grad_seed` in the value encoding
    (worker/encoding.py)."""

    args: tuple[Any, ...]
    seed: int = 0
    device: str = "cpu"
    grad_args: tuple[int, ...] = ()
    grad_seed: Any = None
    profile: bool = False  # a timing run (the coach's): CPU time and peak memory, no value
    max_bytes: int = DEFAULT_MAX_BYTES

    def to_wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {"args": list(self.args), "seed": self.seed, "device": self.device}
        if self.grad_args and self.grad_seed is not None:
            data.update(grad_args=list(self.grad_args), grad_seed=self.grad_seed)
        if self.profile:
            data["profile"] = True
        if self.max_bytes != DEFAULT_MAX_BYTES:
            data["max_bytes"] = self.max_bytes
        return data

    @classmethod
    def from_wire(cls, raw: Any) -> Call:
        if type(raw) is not dict:
            raise ProtocolError("a call is not an object")
        return cls(
            args=tuple(_field(raw, "args", list)),
            seed=int(raw.get("seed", 0)),
            device=str(raw.get("device", "cpu")),
            grad_args=tuple(int(i) for i in raw.get("grad_args", ())),
            grad_seed=raw.get("grad_seed"),
            profile=bool(raw.get("profile")),
            max_bytes=int(raw.get("max_bytes", DEFAULT_MAX_BYTES)),
        )


@dataclass(frozen=True)
class RunRequest:
    """Call the learner's `name` once per call; each `result` frame carries `rid`."""

    op: ClassVar[Op] = Op.RUN
    name: str
    calls: tuple[Call, ...]
    record: bool  # record the torch calls made (forbidden and required calls)
    seconds: float  # per call
    budget: float  # all calls together
    required: tuple[tuple[str, ...], ...]  # each required call's names, marked in results
    rid: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "name": self.name,
            "calls": [c.to_wire() for c in self.calls],
            "record": self.record,
            "seconds": self.seconds,
            "budget": self.budget,
            "required": [list(names) for names in self.required],
            "rid": self.rid,
        }

    @classmethod
    def from_wire(cls, raw: Any) -> RunRequest:
        data = _expect(raw, cls.op)
        return cls(
            name=_field(data, "name", str),
            calls=tuple(Call.from_wire(c) for c in _field(data, "calls", list)),
            record=bool(data.get("record")),
            seconds=float(_field(data, "seconds", (int, float))),
            budget=float(data.get("budget", 1e9)),
            required=tuple(tuple(str(n) for n in names) for names in data.get("required", ())),
            rid=_field(data, "rid", str),
        )


@dataclass(frozen=True)
class ProfileRequest:
    """Time the reference of `exercise` (of the pack given by name or path) on `args`."""

    op: ClassVar[Op] = Op.PROFILE
    exercise: str
    pack: str
    args: tuple[Any, ...]
    seed: int
    repeats: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "exercise": self.exercise,
            "pack": self.pack,
            "args": list(self.args),
            "seed": self.seed,
            "repeats": self.repeats,
        }

    @classmethod
    def from_wire(cls, raw: Any) -> ProfileRequest:
        data = _expect(raw, cls.op)
        return cls(
            exercise=_field(data, "exercise", str),
            pack=str(data.get("pack", "sheet")),
            args=tuple(_field(data, "args", list)),
            seed=int(data.get("seed", 0)),
            repeats=int(data.get("repeats", 3)),
        )
