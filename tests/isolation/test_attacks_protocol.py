"""Attacks on the checker's protocol and limits: forged frames, ignored alarms, huge fields,
slow or deadly top-level statements. The checker's own clock and validation decide."""

from __future__ import annotations

import time

import pytest
from attack_helpers import (
    WRITE_FRAME,
    assert_failed_with,
    assert_healthy_passed,
    report_size,
    results,
)

from tensorlings.checker.sandbox import Limits

pytestmark = pytest.mark.slow

WRONG_IDENTITY = "    return t.zeros(n, n)\n"


def test_forged_progress_frame_claiming_many_calls_then_exit_fails(check_hazard):
    report = check_hazard(
        WRITE_FRAME
        + """
def identity_matrix(n):
    _frame({"op": "progress", "call": 10**9})
    _os._exit(0)
"""
        + WRONG_IDENTITY,
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_forged_result_frame_is_tampering(check_hazard):
    report = check_hazard(
        WRITE_FRAME
        + """
def identity_matrix(n):
    _frame({"op": "result", "index": 10**6, "result": {"status": "ok"}})
    return t.zeros(n, n)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_frame_header_announcing_a_huge_frame_fails_quickly(check_hazard):
    started = time.monotonic()
    report = check_hazard(
        WRITE_FRAME
        + """
def identity_matrix(n):
    for name in _os.listdir("/proc/self/fd"):
        try:
            _os.write(int(name), _struct.pack(">I", 3 * 10**9))
        except OSError:
            pass
    return t.zeros(n, n)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")
    assert time.monotonic() - started < 30


def test_ignoring_the_alarm_cannot_outrun_the_checkers_clock(check_hazard):
    started = time.monotonic()
    report = check_hazard(
        """
import signal, time

def relu_abs(x):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    time.sleep(60)
    return (x + x.abs()) / 2
""",
        limits=Limits(exercise_seconds=1.0, statement_seconds=2.0),
    )
    assert_failed_with(report, "relu_abs", "timeout")
    assert_healthy_passed(report, "relu_abs")
    # one call's limit plus the checker's grace, then the healthy exercises
    assert time.monotonic() - started < 25


def test_progress_frames_cannot_extend_the_deadline(check_hazard):
    started = time.monotonic()
    report = check_hazard(
        WRITE_FRAME
        + """
import signal, time

def relu_abs(x):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    for _ in range(600):
        _frame({"op": "progress", "call": 0})
        time.sleep(0.1)
    return (x + x.abs()) / 2
""",
        limits=Limits(exercise_seconds=1.0, statement_seconds=2.0),
    )
    assert_failed_with(report, "relu_abs", "tampering")
    assert_healthy_passed(report, "relu_abs")
    assert time.monotonic() - started < 25


def test_exception_class_with_a_huge_name_does_not_bloat_the_report(check_hazard):
    report = check_hazard(
        """
def relu_abs(x):
    raise type("E" * 50_000_000, (Exception,), {})("m" * 10_000_000)
"""
    )
    assert_failed_with(report, "relu_abs", "exception")
    assert_healthy_passed(report, "relu_abs")
    assert report_size(report) < 100_000


def test_exception_at_top_level_with_a_huge_name_makes_a_short_note(check_hazard):
    report = check_hazard(
        """
raise type("E" * 50_000_000, (Exception,), {})()

def relu_abs(x):
    return (x + x.abs()) / 2
"""
    )
    assert results(report)["relu_abs"].status == "passed"
    assert report_size(report) < 100_000


def test_many_slow_top_level_statements_share_one_budget(check_hazard):
    statements = "\n".join("time.sleep(1.0)" for _ in range(32))
    started = time.monotonic()
    report = check_hazard(
        f"""
import time
{statements}

def relu_abs(x):
    return (x + x.abs()) / 2
""",
        limits=Limits(exercise_seconds=1.0, statement_seconds=2.0, load_seconds=3.0),
    )
    assert results(report)["relu_abs"].status == "passed"
    assert_healthy_passed(report, "relu_abs")
    assert any(n.kind == "timeout" and "in all" in n.message for n in report.load_notes)
    assert time.monotonic() - started < 30


@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses `signal` alone
def test_top_level_hangs_that_ignore_the_alarm_share_one_budget(check_hazard):
    hang = "signal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True: pass"
    started = time.monotonic()
    report = check_hazard(
        f"""
import signal
{hang}
{hang}
{hang}

def relu_abs(x):
    return (x + x.abs()) / 2
""",
        limits=Limits(exercise_seconds=1.0, statement_seconds=1.0, load_seconds=2.0),
    )
    assert results(report)["relu_abs"].status == "passed"
    assert_healthy_passed(report, "relu_abs")
    assert time.monotonic() - started < 40


def test_eight_top_level_exits_still_have_the_functions_judged(check_hazard):
    exits = "\n".join(f"os._exit({i})" for i in range(8))
    report = check_hazard(
        f"""
import os
{exits}

def relu_abs(x):
    return (x + x.abs()) / 2
"""
    )
    assert results(report)["relu_abs"].status == "passed"
    assert_healthy_passed(report, "relu_abs")
    assert any("only imports and definitions" in n.message for n in report.load_notes)


def test_a_call_that_crashes_leaves_no_call_unanswered(check_hazard):
    report = check_hazard(
        """
import os

CALLS = []

def relu_abs(x):
    CALLS.append(1)
    if len(CALLS) == 3:
        os._exit(0)
    return (x + x.abs()) / 2
"""
    )
    assert_failed_with(report, "relu_abs", "crashed")
    assert_healthy_passed(report, "relu_abs")


def test_a_process_left_behind_by_one_exercise_cannot_disturb_the_next(check_hazard):
    report = check_hazard(
        WRITE_FRAME
        + """
import time

def relu_abs(x):
    if _os.fork() == 0:
        time.sleep(1.0)  # wakes up while the next exercise runs
        for _ in range(50):
            _frame({"op": "result", "index": 0, "result": {"status": "ok"}})
            time.sleep(0.05)
        _os._exit(0)
    return (x + x.abs()) / 2
""",
    )
    assert_healthy_passed(report, "relu_abs")
