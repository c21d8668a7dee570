"""The child's replies are parsed once into typed records; anything an honest child never sends
is a protocol violation (no subprocess: the parser alone)."""

from __future__ import annotations

import pytest

from tensorlings.messages import ProtocolError, replies

OK = {
    "status": "ok",
    "seconds": 0.01,
    "calls": {"eye": 1},
    "output_text": "",
    "output": {"t": "none"},
    "mutated": [],
    "after": {},
}
ERROR = {
    "status": "error",
    "seconds": 0.0,
    "error": {"kind": "error", "type": "ValueError", "message": "bad", "frames": [[3, "f"]]},
}
LINES = frozenset({1, 5})


def parse(raw, output_chars=100, arguments=1):
    return replies.parse_call_result(raw, output_chars, arguments)


def test_valid_results_become_typed_records():
    ok = parse(OK)
    assert ok.status == "ok" and ok.calls == {"eye": 1}
    assert ok.output == {"t": "none"}
    error = parse(ERROR)
    assert error.error is not None and error.error.frames == ((3, "f"),)
    assert error.error.type == "ValueError"


@pytest.mark.parametrize(
    "change",
    [
        {"status": "skipped"},
        {"status": "passed"},
        {"calls": {"eye": "many"}},
        {"calls": {"eye": -1}},
        {"calls": {"e" * 201: 1}},
        {"calls": {f"c{i}": 1 for i in range(5000)}},
        {"output_text": "x" * 10_000},
        {"mutated": [7]},
        {"seconds": "fast"},
        {"seconds": float("inf")},
        {"output": "not an object"},
        {"grad": "fine"},
        {"tampering": ["x"] * 100},
    ],
)
def test_a_field_of_the_wrong_type_or_size_is_a_violation(change):
    with pytest.raises(ProtocolError):
        parse({**OK, **change})


@pytest.mark.parametrize(
    "error",
    [
        {"kind": "error", "type": "E" * 50_000_000, "message": "", "frames": []},
        {"kind": "error", "type": "E", "message": "m" * 10_000, "frames": []},
        {"kind": "mystery", "type": "E", "message": "", "frames": []},
        {"kind": "error", "type": "E", "message": "", "frames": [[1, "f", "extra"]]},
        None,
    ],
)
def test_an_oversized_or_malformed_error_is_a_violation(error):
    with pytest.raises(ProtocolError):
        parse({**ERROR, "error": error})


def test_not_a_dict_is_a_violation():
    for raw in (None, [], "ok", 3):
        with pytest.raises(ProtocolError):
            parse(raw)


def loaded(**change):
    raw = {
        "op": "loaded",
        "notes": [{"line": 5, "kind": "exception", "message": "boom"}],
        "functions": {"relu_abs": "function"},
        "tensor_globals": {},
        "test_cases": None,
        "reference_files_hidden": True,
        "reference_files_why": None,
        "output": "",
    }
    return replies.parse_load_reply({**raw, **change}, frozenset({"relu_abs"}), LINES, 100)


def test_a_valid_load_reply_is_parsed():
    reply = loaded()
    assert reply.functions == {"relu_abs": "function"} and reply.notes[0].line == 5
    assert [n.to_wire() for n in reply.notes] == [
        {"line": 5, "kind": "exception", "message": "boom"}
    ]


def test_a_literal_encoding_is_told_from_anything_else():
    pair = {"t": "tuple", "items": [{"t": "int", "v": "4"}, {"t": "str", "v": "b"}]}
    assert replies.literal_encoding(pair) and replies.literal_encoding({"t": "none"})
    deep = {"t": "tuple", "items": [{"t": "other", "type": "tuple"}]}  # nested past the limit
    assert not replies.literal_encoding(deep)
    assert not replies.literal_encoding({"t": "list", "items": []})


def test_a_constant_answer_is_kept_for_a_function_the_reply_names():
    answer = {"t": "tuple", "items": [{"t": "int", "v": "4"}]}
    assert loaded(constants={"relu_abs": answer}).constants == {"relu_abs": answer}
    assert loaded().constants == {}  # an older child's reply: every call runs


@pytest.mark.parametrize(
    "change",
    [
        {"op": "ran"},
        {"functions": {"someone_else": "function"}},
        {"notes": [{"line": 99, "kind": "exception", "message": ""}]},
        {"notes": [{"line": 5, "kind": "exception", "message": "m" * 5000}]},
        {"reference_files_hidden": "yes"},
        {"test_cases": [[[1, 2], [3]], [[-1], [1]]]},
        {"definitions_from": 4},
        {"constants": {"someone_else": {"t": "none"}}},
        {"functions": {"relu_abs": "int"}, "constants": {"relu_abs": {"t": "none"}}},
        {"constants": {"relu_abs": "b"}},
        {"constants": [["relu_abs", {"t": "none"}]]},
        {"constants": {"relu_abs": {"t": "tensor", "dtype": "float32", "shape": [], "data": ""}}},
        {"constants": {"relu_abs": {"t": "tuple", "items": [{"t": "list", "items": []}]}}},
    ],
)
def test_a_load_reply_that_breaks_the_protocol_is_a_violation(change):
    with pytest.raises(ProtocolError):
        loaded(**change)


def test_statement_frames_must_name_sent_lines_in_order():
    assert replies.statement_line({"op": "statement", "line": 5}, LINES, 1) == 5
    for line, after in ((5, 5), (3, None), (1, 5)):
        with pytest.raises(ProtocolError):
            replies.statement_line({"op": "statement", "line": line}, LINES, after)
