"""Every message survives the wire as the same record: the child's encoders and the checker's
parsers agree, requests decode to what was sent, and a frame out of place is a ProtocolError
(no subprocess: the records and the JSON alone)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import tensorlings
from tensorlings.messages import ProtocolError, frames, replies
from tensorlings.messages.replies import CallResult, ErrorInfo, LoadReply, Note
from tensorlings.messages.requests import (
    Call,
    ExerciseRequest,
    LoadRequest,
    Op,
    ProfileRequest,
    RunRequest,
    Unit,
    op_of,
)


def wire(message: Any) -> Any:
    """What the other side reads: the frame through JSON."""
    return json.loads(json.dumps(message))


REQUESTS = [
    LoadRequest(
        units=(Unit(1, "import torch"), Unit(4, "def f(x):\n    return x")),
        filename="/tmp/work.py",
        skip_lines=(2, 9),
        statement_seconds=10.0,
        budget_seconds=29.5,
        definitions_from=None,
        names=("f", "test_cases"),
    ),
    ExerciseRequest("f", "00ff"),
    RunRequest(
        name="f",
        calls=(
            Call(({"t": "int", "v": "3"},), seed=7, device="cpu"),
            Call((), grad_args=(0,), grad_seed={"t": "none"}),
            Call(({"t": "none"},), profile=True),
        ),
        record=True,
        seconds=5.0,
        budget=20.0,
        required=(("einsum", "torch.einsum"),),
        rid="abcd",
    ),
    ProfileRequest("relu", "sheet", ({"t": "none"},), seed=3, repeats=2),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_every_request_decodes_to_what_was_sent(request_: Any) -> None:
    raw = wire(request_.to_wire())
    assert op_of(raw) is request_.op
    assert type(request_).from_wire(raw) == request_


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_a_request_of_another_op_or_missing_a_field_is_a_protocol_error(request_: Any) -> None:
    raw = wire(request_.to_wire())
    with pytest.raises(ProtocolError):
        type(request_).from_wire({**raw, "op": "quit"})
    required = [k for k, v in raw.items() if k != "op" and isinstance(v, (str, list))]
    with pytest.raises(ProtocolError):
        type(request_).from_wire({k: v for k, v in raw.items() if k != required[0]})


def test_only_a_known_op_in_an_object_names_an_op() -> None:
    assert op_of({"op": "run"}) is Op.RUN
    assert op_of(wire({"op": Op.ENDED})) is Op.ENDED
    for raw in ({"op": "nope"}, {"op": ["run"]}, {"op": 1}, "run", ["run"], None):
        assert op_of(raw) is None


OK = CallResult(
    "ok",
    0.25,
    {"einsum": 2, "used:einsum": 1},
    "printed\n",
    output={"t": "int", "v": "4"},
    mutated=(0,),
    after={"0": {"t": "none"}},
    grad="ok",
    grads={"0": {"t": "none"}},
    tampering=("patched torch.eye",),
)
RESULTS = [
    OK,
    CallResult("error", 0.1, {}, "", error=ErrorInfo("error", "ValueError", "bad", ((3, "f"),))),
    CallResult("timeout", error=ErrorInfo("timeout", "", "the checks took more than 20 s")),
    CallResult("ok", 0.2, cpu_seconds=0.19, peak_extra_bytes=4096),  # a timing run: no value
]


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: r.status)
def test_the_checker_reads_each_call_result_as_the_child_built_it(result: CallResult) -> None:
    frame = wire(frames.ResultFrame(2, "rid1", result).to_wire())
    assert frames.parse_result_frame(frame, "rid1", 2, output_chars=100, arguments=1) == result


@pytest.mark.parametrize(
    ("rid", "index", "change"),
    [
        ("other", 2, {}),
        ("rid1", 3, {}),
        ("rid1", 2, {"op": "ended"}),
        ("rid1", 2, {"result": {"status": "crashed"}}),
    ],
)
def test_a_result_frame_out_of_place_is_a_protocol_error(
    rid: str, index: int, change: dict[str, Any]
) -> None:
    frame = {**wire(frames.ResultFrame(2, "rid1", OK).to_wire()), **change}
    with pytest.raises(ProtocolError):
        frames.parse_result_frame(frame, rid, index, output_chars=100, arguments=1)


def test_the_checker_reads_the_load_reply_as_the_child_built_it() -> None:
    reply = LoadReply(
        notes=(Note(5, "exception", "boom"),),
        functions={"f": "function", "g": "int"},
        tensor_globals={"data": 5},
        test_cases=(((2, 3), (3, 1)), None),
        reference_files_hidden=False,
        reference_files_why="no mount namespace",
        output="hello",
        tampering=("opened /proc",),
        definitions_from=5,
    )
    raw = wire(reply.to_wire())
    parsed = replies.parse_load_reply(raw, frozenset({"f", "g"}), frozenset({1, 5}), 100)
    assert parsed == reply


def test_statement_frames_say_which_pass_of_the_load_they_belong_to() -> None:
    first = wire(frames.Statement(5).to_wire())
    again = wire(frames.Statement(5, again=True).to_wire())
    assert (frames.statement_op(first), frames.statement_op(again)) == (Op.STATEMENT, Op.DEFINITION)
    assert frames.statement_op({"op": "loaded"}) is None
    assert replies.statement_line(again, frozenset({5}), None) == 5


def test_an_ended_frame_must_answer_its_own_request() -> None:
    ended = frames.Ended("rid9", 9, forged=True)
    assert frames.parse_ended(wire(ended.to_wire()), "rid9") == ended
    for change in ({"rid": "rid8"}, {"status": "9"}, {"forged": "yes"}, {"op": "result"}):
        with pytest.raises(ProtocolError):
            frames.parse_ended({**wire(ended.to_wire()), **change}, "rid9")


def test_the_reference_timings_survive_the_wire() -> None:
    profiled = frames.Profiled((0.5, 0.25), (0.4, 0.2), (1024, 0))
    assert frames.parse_profiled(wire(profiled.to_wire())) == profiled
    with pytest.raises(ProtocolError):
        frames.parse_profiled({**wire(profiled.to_wire()), "peaks": [-1]})


def test_a_call_that_did_not_return_says_why_whoever_decided_it() -> None:
    told = RESULTS[1]
    assert told.failure is told.error
    decided = replies.not_answered("crashed", "the worker process was killed by SIGKILL")
    assert decided.failure == ErrorInfo("crashed", "", "the worker process was killed by SIGKILL")


def test_the_protocol_has_one_exception_type() -> None:
    """Breaking the protocol is one idea: one exception class in the whole package."""
    root = Path(tensorlings.__file__).parent
    names = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and "protocol" in node.name.lower():
                names.add(node.name)
    assert names == {"ProtocolError"}
