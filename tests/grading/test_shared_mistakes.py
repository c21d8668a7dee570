"""Shared mistakes: the same named mistake, or the same wrong output on the same probe."""

from __future__ import annotations

from grading_helpers import SECTION, report

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.mistakes import shared_mistakes
from tensorlings.grading.model import Graded

CALL = "temperatures_normalized(temps=tensor([...]))"


def wrong(actual: float, *, call: str = CALL, mistake: str | None = None, line: int = 3) -> Problem:
    details = {"first_index": [0], "expected_at_first": -0.3326, "actual_at_first": actual}
    message = f"wrong values at line {line}: expected -0.3326, got {actual}"
    return Problem("wrong_values", message, call=call, line=line, details=details, mistake=mistake)


def student(name: str, *problems: Problem, exercise: str = "temperatures_normalized") -> Graded:
    result = ExerciseResult(exercise, SECTION, "failed" if problems else "passed", problems)
    return Graded(name, report(f"{name}.py", result))


def test_the_same_named_mistake_groups_every_submission_that_made_it() -> None:
    population = "population standard deviation"
    graded = [
        student("ann", wrong(-0.3592, mistake=population)),
        student("ben", wrong(-0.3592, mistake=population, line=40)),
        student("cat", wrong(-0.3592, mistake=population)),
        student("dan"),  # passed
        student("eve", wrong(1.5)),  # a mistake of her own
    ]
    [group] = shared_mistakes(graded)
    assert (group.exercise, group.mistake, group.named) == (
        "temperatures_normalized", population, True,
    )  # fmt: skip
    assert group.submissions == ("ann", "ben", "cat")
    assert (group.example_submission, group.example_call) == ("ann", CALL)


def test_identical_wrong_outputs_on_the_same_probe_are_grouped_without_a_name() -> None:
    graded = [
        student("ann", wrong(-0.3592, line=3)),
        student("ben", wrong(-0.3592, line=97)),  # same output, written elsewhere in the file
        student("cat", wrong(0.0)),  # another wrong output
        student("dan", wrong(-0.3592, call="temperatures_normalized(temps=tensor([1.]))")),
    ]
    [group] = shared_mistakes(graded)
    assert group.submissions == ("ann", "ben")
    assert not group.named
    assert "got -0.3592 where -0.3326 is expected" in group.mistake


def test_a_mistake_made_once_is_not_shared() -> None:
    assert shared_mistakes([student("ann", wrong(1.0)), student("ben", wrong(2.0))]) == []


def test_each_exercise_groups_apart_and_notes_never_count() -> None:
    note = Problem("edge_case", "wrong on an empty input", call=CALL, fails=False)
    graded = [
        student("ann", wrong(-0.3592), exercise="ex_a"),
        student("ben", wrong(-0.3592), exercise="ex_b"),
        Graded("cat", report("cat.py", ExerciseResult("ex_a", SECTION, "passed", (note,)))),
        Graded("dan", report("dan.py", ExerciseResult("ex_a", SECTION, "passed", (note,)))),
    ]
    assert shared_mistakes(graded) == []


def test_largest_groups_come_first() -> None:
    graded = [
        student("a1", wrong(1.0), exercise="ex_a"),
        student("a2", wrong(1.0), exercise="ex_a"),
        student("b1", wrong(2.0), exercise="ex_b"),
        student("b2", wrong(2.0), exercise="ex_b"),
        student("b3", wrong(2.0), exercise="ex_b"),
    ]
    assert [(m.exercise, m.count) for m in shared_mistakes(graded)] == [("ex_b", 3), ("ex_a", 2)]


def test_a_submission_with_two_named_mistakes_is_in_both_groups() -> None:
    population, transposed = "population standard deviation", "transposed output"
    graded = [
        student("ann", wrong(-0.3592, mistake=population), wrong(7.0, mistake=transposed)),
        student("ben", wrong(-0.3592, mistake=population)),
        student("cat", wrong(7.0, mistake=transposed)),
    ]
    groups = {m.mistake: m.submissions for m in shared_mistakes(graded)}
    assert groups == {population: ("ann", "ben"), transposed: ("ann", "cat")}


def test_a_shared_mistake_title_never_shows_an_unknown_line() -> None:
    def raised(line: int) -> Problem:
        message = f"batched_softmax raised ZeroDivisionError at line {line}: division by zero"
        return Problem("exception", message, call="batched_softmax(x)", line=line)

    graded = [
        student("ann", raised(3), exercise="batched_softmax"),
        student("ben", raised(41), exercise="batched_softmax"),
    ]
    [group] = shared_mistakes(graded)
    assert group.mistake == (
        "same exception on batched_softmax(x): batched_softmax raised ZeroDivisionError: "
        "division by zero"
    )


def test_a_shared_mistake_title_names_the_call_once() -> None:
    call = "relu_abs(x=tensor([-1., 0., 1., 2.]))"
    message = f"{call} raised ValueError at line 7: 'raise ValueError(\"no\")': no"
    graded = [
        student(name, Problem("exception", message, call=call, line=7), exercise="relu_abs")
        for name in ("ann", "ben")
    ]
    [group] = shared_mistakes(graded)
    assert group.mistake == (
        f"same exception on {call}: raised ValueError: 'raise ValueError(\"no\")': no"
    )
