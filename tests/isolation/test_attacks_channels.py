"""A frame counts only as the answer to the request the checker made, on the channel it made
it on: each exercise's process has a channel of its own (it holds no other socket), and every
reply carries the id of the request it answers, an id the checker chose and learner code never
saw. Anything else is tampering, and the neighbours' verdicts do not change."""

from __future__ import annotations

import pytest
from attack_helpers import WRITE_FRAME, assert_failed_with, assert_healthy_passed

from tensorlings.checker.session import request_id

pytestmark = pytest.mark.slow

# The right answer for identity_matrix, encoded as the checker reads it (float32, n = 3).
FORGED_OUTPUT = """
import base64 as _b64, struct as _st

def _eye_record(n):
    values = [1.0 if i == j else 0.0 for i in range(n) for j in range(n)]
    data = _b64.b64encode(_st.pack("<%df" % len(values), *values)).decode()
    return {"t": "tensor", "dtype": "float32", "shape": [n, n], "device": "cpu",
            "requires_grad": False, "grad_fn": False, "data": data}
"""


@pytest.mark.parametrize("rid", ["0" * 16, None], ids=["guessed_id", "no_id"])
def test_a_reply_that_answers_another_request_is_tampering(check_hazard, rid):
    report = check_hazard(
        WRITE_FRAME
        + FORGED_OUTPUT
        + f"""
CALLS = {{"made": 0}}

def identity_matrix(n):
    index, CALLS["made"] = CALLS["made"], CALLS["made"] + 1
    ok = {{"status": "ok", "output": _eye_record(n), "seconds": 0.0}}
    _frame({{"op": "result", "index": index, "rid": {rid!r}, "result": ok}})
    return t.zeros(n, n)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_an_exercise_that_speaks_for_the_files_process_is_tampering(check_hazard):
    # `ended` comes from the file's process alone, on its own socket, which no exercise's
    # process holds: on an exercise's channel it is a forgery (it used to end the exercise as
    # `crashed`, with the process's status left to the forger).
    report = check_hazard(
        WRITE_FRAME
        + """
def identity_matrix(n):
    _frame({"op": "ended", "status": None})
    return (t.arange(n)[:, None] == t.arange(n)).float()
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_writing_on_the_pipe_that_says_done_is_tampering(check_hazard):
    # The file's process learns that an exercise is over from a pipe that learner code can
    # write on too: anything but "done" there ends the exercise as tampering.
    report = check_hazard(
        """
import os, stat

def identity_matrix(n):
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISFIFO(os.fstat(int(name)).st_mode):
                os.write(int(name), b"x")
        except OSError:
            pass
    return (t.arange(n)[:, None] == t.arange(n)).float()
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_request_ids_are_fresh_and_unguessable():
    ids = {request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)
