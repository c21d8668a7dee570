"""The child's replies as typed frozen records: built by the child, parsed once by the checker.

The child runs learner code, so every frame it sends may be forged. Each field has a type and a
size cap; an honest child never exceeds them (it caps its own fields first), so a reply that
breaks one is treated as tampering with the protocol (ProtocolError), never repaired or guessed
at. The child encodes with `to_wire`, which builds plain dicts with literals only: nothing of a
module learner code can reach (copy, dataclasses, enum) runs between a record and its frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tensorlings.messages import ProtocolError
from tensorlings.messages.requests import Op
from tensorlings.vocab import CallStatus

MAX_NAME = 200  # an exception's type name, a call name
MAX_MESSAGE = 2_000  # an exception's message
MAX_FRAMES = 100  # traceback entries in the learner's file
MAX_CALL_NAMES = 2_000  # distinct calls recorded in one call
MAX_COUNT = 10**12
MAX_NOTES = 2_000
MAX_TAMPERING = 50
OUTPUT_SLACK = 200  # the "… N more characters were dropped" line
CALL_STATUSES = ("ok", "error", "timeout", "memory")
ERROR_KINDS = ("error", "memory", "timeout")
GRAD_STATES = ("ok", "none", "error", "skipped")


def _fail(what: str) -> ProtocolError:
    return ProtocolError(what[:300])


def _text(value: Any, cap: int, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(f"{what} is not a string")
    if len(value) > cap:
        raise _fail(f"{what} is {len(value)} characters long (the limit is {cap})")
    return value


def _int(value: Any, what: str, low: int = 0, high: int = MAX_COUNT) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _fail(f"{what} is not an integer in [{low}, {high}]")
    return value


def _number(value: Any, what: str) -> float:
    if type(value) not in (int, float) or not 0 <= value < 1e7:
        raise _fail(f"{what} is not a plausible number of seconds")
    return float(value)


def _mapping(value: Any, what: str, cap: int) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"{what} is not an object")
    if len(value) > cap:
        raise _fail(f"{what} has {len(value)} entries (the limit is {cap})")
    return value


def _list(value: Any, what: str, cap: int) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(f"{what} is not a list")
    if len(value) > cap:
        raise _fail(f"{what} has {len(value)} items (the limit is {cap})")
    return value


# Public for the few other replies (the trusted child's timings).
integer, number, items = _int, _number, lambda value, cap: _list(value, "a list", cap)


def _tampering(raw: Mapping[str, Any]) -> tuple[str, ...]:
    events = _list(raw.get("tampering", []), "tampering", MAX_TAMPERING)
    return tuple(_text(e, MAX_MESSAGE, "a tampering event") for e in events)


@dataclass(frozen=True)
class ErrorInfo:
    """What the learner's code raised, as the child describes it."""

    kind: str  # error | memory | timeout
    type: str
    message: str
    frames: tuple[tuple[int, str], ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "type": self.type,
            "message": self.message,
            "frames": [[line, name] for line, name in self.frames],
        }


def parse_error(raw: Any) -> ErrorInfo:
    data = _mapping(raw, "error", 8)
    kind = _text(data.get("kind"), 20, "error kind")
    if kind not in ERROR_KINDS:
        raise _fail(f"unknown error kind {kind!r}")
    frames = []
    for item in _list(data.get("frames", []), "frames", MAX_FRAMES):
        entry = _list(item, "a frame", 2)
        if len(entry) != 2:
            raise _fail("a frame is not [line, function]")
        frames.append((_int(entry[0], "a frame's line"), _text(entry[1], MAX_NAME, "a name")))
    return ErrorInfo(
        kind,
        _text(data.get("type"), MAX_NAME, "the exception's type name"),
        _text(data.get("message"), MAX_MESSAGE, "the exception's message"),
        tuple(frames),
    )


@dataclass(frozen=True)
class CallResult:
    """One call of the learner's function, validated. `output`, `after` and `grads` stay in
    the value encoding (worker/encoding.py): the judge decodes them, and a value that does
    not decode is the learner's wrong answer, not a protocol breach."""

    # The child sends a plain string (it builds frames from literals only); the checker parses
    # it into a CallStatus, and decides CRASHED itself.
    status: str
    seconds: float = 0.0
    calls: Mapping[str, int] = field(default_factory=dict)
    output_text: str = ""
    output: Any = None
    mutated: tuple[int, ...] = ()
    after: Mapping[str, Any] = field(default_factory=dict)
    grad: str | None = None
    grads: Mapping[str, Any] = field(default_factory=dict)
    grad_error: str = ""
    peak_extra_bytes: int = 0
    cpu_seconds: float = 0.0  # a timing run's CPU time (the coach's)
    error: ErrorInfo | None = None
    message: str = ""  # why the checker decided the status (crashed, timeout, not answered)
    tampering: tuple[str, ...] = ()
    # Where the checker asked for the call to run: set by the checker, never read from a frame.
    device: str = "cpu"

    def gradient(self, index: int) -> Any:
        """The gradient that reached argument `index`, in the value encoding."""
        return self.grads.get(str(index), {"t": "none"})

    @property
    def failure(self) -> ErrorInfo:
        """Why a call did not return: the child's account, else the checker's own."""
        if self.error is not None:
            return self.error
        return ErrorInfo(self.status, "", self.message)

    def to_wire(self) -> dict[str, Any]:
        """The `result` payload, as the child sends it (`message` is the checker's alone)."""
        data: dict[str, Any] = {
            "status": self.status,
            "seconds": self.seconds,
            "calls": dict(self.calls),
            "output_text": self.output_text,
            "peak_extra_bytes": self.peak_extra_bytes,
            "cpu_seconds": self.cpu_seconds,
            "tampering": list(self.tampering),
        }
        if self.error is not None:
            data["error"] = self.error.to_wire()
        if self.status != "ok":
            return data
        if self.output is not None:
            data["output"] = self.output
        data.update(mutated=list(self.mutated), after=dict(self.after))
        if self.grad is not None:
            data.update(grad=self.grad, grads=dict(self.grads), grad_error=self.grad_error)
        return data


def not_answered(status: CallStatus, message: str) -> CallResult:
    """A call the child never answered: the checker decides how it ended."""
    return CallResult(status=status, message=message)


def _calls(raw: Any) -> dict[str, int]:
    data = _mapping(raw, "recorded calls", MAX_CALL_NAMES)
    return {_text(k, MAX_NAME, "a call name"): _int(v, "a call count") for k, v in data.items()}


def parse_call_result(raw: Any, output_chars: int, arguments: int) -> CallResult:
    """One `result` frame's payload; raises ProtocolError when anything is off."""
    data = _mapping(raw, "a call result", 16)
    sent = _text(data.get("status"), 20, "status")
    if sent not in CALL_STATUSES:
        raise _fail(f"unknown call status {sent!r}")
    status = CallStatus(sent)
    common: dict[str, Any] = {
        "seconds": _number(data.get("seconds", 0.0), "seconds"),
        "output_text": _text(
            data.get("output_text", ""), output_chars + OUTPUT_SLACK, "printed output"
        ),
        "calls": _calls(data.get("calls", {})),
        "peak_extra_bytes": _int(data.get("peak_extra_bytes", 0), "peak memory"),
        "cpu_seconds": _number(data.get("cpu_seconds", 0.0), "CPU seconds"),
        "tampering": _tampering(data),
    }
    if status != CallStatus.OK:
        return CallResult(status=status, error=parse_error(data.get("error")), **common)
    mutated = tuple(
        _int(i, "a mutated argument", 0, max(arguments - 1, 0))
        for i in _list(data.get("mutated", []), "mutated", arguments)
    )
    after = _mapping(data.get("after", {}), "arguments after the call", arguments)
    grad = data.get("grad")
    if grad is not None and grad not in GRAD_STATES:
        raise _fail(f"unknown gradient state {grad!r}")
    return CallResult(
        status=CallStatus.OK,
        # A timing run (the coach's) sends no value back.
        output=None if "output" not in data else _mapping(data["output"], "the value", 16),
        mutated=mutated,
        after={_text(k, 8, "an argument index"): v for k, v in after.items()},
        grad=grad,
        grads=_mapping(data.get("grads", {}), "gradients", arguments),
        grad_error=_text(data.get("grad_error", ""), MAX_MESSAGE, "the gradient error"),
        **common,
    )


@dataclass(frozen=True)
class Note:
    """A top-level statement that failed or was skipped while loading (the report's LoadNote)."""

    line: int
    kind: str
    message: str

    def to_wire(self) -> dict[str, Any]:
        return {"line": self.line, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class LoadReply:
    """What loading the file produced, validated."""

    notes: tuple[Note, ...]
    functions: Mapping[str, str]  # name -> "function" or the type of what it is instead
    tensor_globals: Mapping[str, int]
    test_cases: tuple[tuple[tuple[int, ...], tuple[int, ...]] | None, ...] | None
    reference_files_hidden: bool
    reference_files_why: str | None
    output: str
    tampering: tuple[str, ...] = ()
    definitions_from: int | None = None  # the child's own load budget ran out at this line
    # name -> the value (encoded) its function returns without running any code of its own
    # (worker/constant_return.py): a call of it with no arguments is answered from here
    constants: Mapping[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The `loaded` frame, as the child sends it."""
        cases = None
        if self.test_cases is not None:
            cases = [None if c is None else [list(c[0]), list(c[1])] for c in self.test_cases]
        return {
            "op": Op.LOADED,
            "notes": [n.to_wire() for n in self.notes],
            "functions": dict(self.functions),
            "tensor_globals": dict(self.tensor_globals),
            "test_cases": cases,
            "reference_files_hidden": self.reference_files_hidden,
            "reference_files_why": self.reference_files_why,
            "output": self.output,
            "definitions_from": self.definitions_from,
            "tampering": list(self.tampering),
            "constants": dict(self.constants),
        }


def _note(raw: Any, lines: frozenset[int]) -> Note:
    data = _mapping(raw, "a load note", 3)
    line = _int(data.get("line"), "a note's line")
    if line not in lines:
        raise _fail(f"a load note names line {line}, where no statement starts")
    return Note(
        line,
        _text(data.get("kind"), 40, "a note's kind"),
        _text(data.get("message"), 600, "a note"),
    )


def _case(raw: Any) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    if raw is None:
        return None
    pair = _list(raw, "a test case", 2)
    if len(pair) != 2:
        raise _fail("a test case is not [size, stride]")
    size, stride = (_list(p, "a size or stride", 8) for p in pair)
    return (
        tuple(_int(v, "a size", 0, 2**31 - 1) for v in size),
        tuple(_int(v, "a stride", 0, 2**31 - 1) for v in stride),
    )


def parse_load_reply(
    raw: Any, names: frozenset[str], lines: frozenset[int], output_chars: int
) -> LoadReply:
    """The `loaded` frame; `names` were asked about, `lines` are the statements sent."""
    data = _mapping(raw, "the load reply", 12)
    if data.get("op") != Op.LOADED:
        raise _fail("the load reply is not a `loaded` frame")
    functions = _mapping(data.get("functions", {}), "functions", len(names))
    for name, what in functions.items():
        if name not in names:
            raise _fail(f"the load reply names {name[:50]!r}, which was not asked about")
        _text(what, MAX_NAME, "a function's type")
    tensor_globals = _mapping(data.get("tensor_globals", {}), "tensor globals", 10_000)
    cases = data.get("test_cases")
    hidden = data.get("reference_files_hidden")
    why = data.get("reference_files_why")
    cut = data.get("definitions_from")
    if cut is not None and _int(cut, "definitions_from") not in lines:
        raise _fail("definitions_from names a line where no statement starts")
    if type(hidden) is not bool:
        raise _fail("reference_files_hidden is not a boolean")
    return LoadReply(
        notes=tuple(_note(n, lines) for n in _list(data.get("notes", []), "notes", MAX_NOTES)),
        functions=dict(functions),
        tensor_globals={
            _text(k, MAX_NAME, "a global's name"): _int(v, "a line")
            for k, v in tensor_globals.items()
        },
        test_cases=None if cases is None else tuple(_case(c) for c in _list(cases, "cases", 20)),
        reference_files_hidden=hidden,
        reference_files_why=None if why is None else _text(why, 600, "why files are visible"),
        output=_text(data.get("output", ""), output_chars + OUTPUT_SLACK, "printed output"),
        tampering=_tampering(data),
        definitions_from=cut,
        constants=_constants(data.get("constants", {}), functions),
    )


def _constants(raw: Any, functions: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of functions that only return a literal: each for a function the reply
    names, in the value encoding (a value that does not decode is the learner's wrong answer,
    as for any call's result)."""
    constants = _mapping(raw, "constants", len(functions))
    for name, value in constants.items():
        if functions.get(name) != "function":
            raise _fail(f"a constant answer for {name[:50]!r}, which is not a function")
        _literal(value, 0)
    return dict(constants)


_LITERAL_KINDS = frozenset({"int", "float", "bool", "str", "none"})


def _literal(raw: Any, depth: int) -> None:
    """A literal's encoding: only what worker/constant_return.py answers for (no tensor, no
    list, nothing a call alone could have returned)."""
    data = _mapping(raw, "a constant answer", 3)
    kind = data.get("t")
    if kind == "tuple" and depth < 8:
        for item in _list(data.get("items"), "a constant tuple", 1_000):
            _literal(item, depth + 1)
    elif kind not in _LITERAL_KINDS:
        raise _fail(f"a constant answer of kind {str(kind)[:20]!r}, which is no literal")


def literal_encoding(raw: Any) -> bool:
    """Whether `raw` is a literal's encoding by the rule a load reply is held to: the file's
    process reports a constant answer only then (a literal the encoding cannot send whole, too
    deep or too long, is called in its own process instead)."""
    try:
        _literal(raw, 0)
    except ProtocolError:
        return False
    return True


def statement_line(raw: Any, lines: frozenset[int], after: int | None) -> int:
    """A `statement` frame while loading: the line of the statement starting now, which must be
    one that was sent, and later than the previous one."""
    data = _mapping(raw, "a statement frame", 2)
    line = _int(data.get("line"), "a statement's line")
    if line not in lines or (after is not None and line <= after):
        raise _fail(f"a statement frame names line {line}, out of order or unknown")
    return line
