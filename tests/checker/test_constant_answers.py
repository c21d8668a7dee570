"""A function that only returns a literal is answered from the load, with no process of its own,
and gets the verdict that calling it gives (worker/constant_return.py, checker/session.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from tests.checker.conftest import CheckFile, CheckSource

from tensorlings.checker.exercise_process import ExerciseProcess
from tensorlings.checker.session import Session

# Right and wrong literal answers, odd types and shapes among them, and a name bound twice.
ANSWERS = """\
def as_strided_1():
    return (4,), (1,)

def as_strided_2():
    return (2, 2), (3, 1, 1)

def as_strided_3():
    "A docstring changes nothing."
    return (1, 2), (0, 1)

def tensor_from_size():
    return "b"

def tensor_from_tuple():
    return 3

def tensor_from_list():
    return "z"

def mean_of_int_tensor():
    return ("c",)

def tensor_of_bools_dtype():
    return "a"

tensor_of_bools_dtype = lambda: "wrong"
"""
NAMES = (
    "as_strided_1", "as_strided_2", "as_strided_3", "tensor_from_size", "tensor_from_tuple",
    "tensor_from_list", "mean_of_int_tensor", "tensor_of_bools_dtype",
)  # fmt: skip


def _begun(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The exercises that got a process of their own."""
    begun: list[str] = []
    begin = ExerciseProcess.begin

    def recording(self: ExerciseProcess, name: str, load) -> None:  # type: ignore[no-untyped-def]
        begun.append(name)
        begin(self, name, load)

    monkeypatch.setattr(ExerciseProcess, "begin", recording)
    return begun


def test_a_literal_answer_gets_the_verdict_a_call_gives(
    check_source: CheckSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun = _begun(monkeypatch)
    answered = check_source("constant_answers", ANSWERS)
    assert not set(begun) & set(NAMES), begun  # no process for any of them
    monkeypatch.setattr(Session, "_constant_answers", lambda self, name, calls, record: None)
    called = check_source("constant_answers_called", ANSWERS)
    assert set(NAMES) <= set(begun)  # now each ran in its own process
    for name in NAMES:
        assert replace(answered[name], duration_s=0) == replace(called[name], duration_s=0)
    assert answered["as_strided_1"].status == "passed"
    assert answered["tensor_from_size"].status == "passed"
    assert answered["as_strided_2"].status == answered["tensor_of_bools_dtype"].status == "failed"


def test_a_function_that_does_more_than_return_a_literal_is_called(
    check_source: CheckSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun = _begun(monkeypatch)
    results = check_source(
        "constant_answers_more",
        """
        def as_strided_1():
            print("thinking")
            return (4,), (1,)

        def tensor_from_size():
            answer = "b"
            return answer

        def tensor_from_list():
            return 1%s
        """
        % ("0" * 120),
    )
    assert {"as_strided_1", "tensor_from_size", "tensor_from_list"} <= set(begun)
    assert results["tensor_from_list"].status == "failed"  # an int too long to send as one
    assert results["as_strided_1"].status == results["tensor_from_size"].status == "passed"


def test_a_literal_too_deep_to_send_whole_is_called_not_reported(
    check_file: CheckFile, workbook_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in review: a tuple nested deeper than the encoding sends whole was reported as a
    constant, its encoding held an `other`, and the whole load was refused as tampering."""
    begun = _begun(monkeypatch)
    path = workbook_dir / "constant_answers_deep.py"
    path.write_text(
        "# %%\ndef as_strided_1():\n    return ((((((((4,),),),),),),),)\n\n"
        'def tensor_from_size():\n    return "b"\n',
        encoding="utf-8",
    )
    report = check_file(path)
    results = {result.id: result for result in report.exercises}
    assert report.load_notes == ()
    assert "as_strided_1" in begun and "tensor_from_size" not in begun
    assert results["as_strided_1"].status == "failed"
    assert results["tensor_from_size"].status == "passed"
