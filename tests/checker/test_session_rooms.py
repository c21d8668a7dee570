"""The rooms a check's session is made of, each on its own (no subprocess: no child runs)."""

from __future__ import annotations

from pathlib import Path

from tensorlings.checker.call_exchange import answered
from tensorlings.checker.exercise_process import MAX_FINDINGS, ExerciseProcess, FileProcess
from tensorlings.checker.loading import statement_lines
from tensorlings.checker.results import Problem
from tensorlings.checker.sandbox import Limits
from tensorlings.checker.source import read_workbook
from tensorlings.messages.replies import CallResult
from tensorlings.messages.requests import Call


def test_every_call_gets_an_answer_when_one_ends_the_run() -> None:
    calls = [Call(()) for _ in range(4)]
    done = [CallResult("ok")]
    got = answered(done, calls, "timeout", "no answer within 5 s")
    assert [r.status for r in got] == ["ok", "timeout", "timeout", "timeout"]
    assert got[1].failure.message == "no answer within 5 s"
    assert got[2].failure.message.startswith("not run: an earlier call of these checks ended")
    assert answered([CallResult("ok")] * 4, calls, "timeout", "late") == [CallResult("ok")] * 4


def test_a_finding_is_logged_once_and_the_log_is_capped() -> None:
    process = ExerciseProcess(FileProcess(), Limits())
    for _ in range(3):
        process.find("f", Problem("tampering", "patched torch"))
    for n in range(2 * MAX_FINDINGS):
        process.find("f", Problem("tampering", f"event {n}"))
    assert len(process.findings["f"]) == MAX_FINDINGS
    assert process.finish("f")[0].message == "patched torch"
    assert process.finish("f") == []  # handed over once


def test_an_exercise_without_a_live_file_process_ends_without_waiting() -> None:
    process = ExerciseProcess(FileProcess(), Limits(), name="f", ending=True)
    assert process.await_ended() is False and process.ending is False


def test_only_top_level_statements_are_sent_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "work.py"
    path.write_text("import torch\n\ndef f(x):\n    y = x\n    return y\n\nprint(f(1))\n")
    assert statement_lines(read_workbook(path)) == frozenset({1, 3, 7})
