"""Scores under the grading config: weights, the cost of edge-case notes, percentages."""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import SECTION, report

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.config import GradingConfig, load_config, parse_config
from tensorlings.grading.errors import GradingError
from tensorlings.grading.model import Graded
from tensorlings.grading.scoring import score

IDS = ["ex_a", "ex_b", "ex_c"]
EDGE = Problem("edge_case", "wrong on an empty batch", call="ex_a(x=tensor([]))", fails=False)
SLOW = Problem("slow", "10x slower than the reference", fails=False)


def submission(*results: ExerciseResult) -> Graded:
    return Graded("ada", report("ada.py", *results))


def passed(exercise_id: str, *notes: Problem) -> ExerciseResult:
    return ExerciseResult(exercise_id, SECTION, "passed", notes)


def failed(exercise_id: str) -> ExerciseResult:
    return ExerciseResult(exercise_id, SECTION, "failed", (Problem("wrong_values", "no"),))


def test_without_a_config_each_passed_exercise_is_one_point() -> None:
    result = score(submission(passed("ex_a"), failed("ex_b")), IDS, GradingConfig())
    assert (result.points, result.max_points, result.percent) == (1.0, 3.0, 33.33)


def test_weights_set_each_exercise_points_and_the_total() -> None:
    config = parse_config({"weights": {"default": 2, "ex_a": 5}})
    result = score(submission(passed("ex_a"), passed("ex_b"), failed("ex_c")), IDS, config)
    assert [(p.id, p.points, p.max_points) for p in result.exercises] == [
        ("ex_a", 5.0, 5.0), ("ex_b", 2.0, 2.0), ("ex_c", 0.0, 2.0),
    ]  # fmt: skip
    assert (result.points, result.max_points, result.percent) == (7.0, 9.0, 77.78)


def test_notes_cost_nothing_by_default() -> None:
    config = GradingConfig(timing_advice=True)
    result = score(submission(passed("ex_a", EDGE, SLOW)), IDS, config)
    assert result.points == 1.0
    assert [n.kind for n in result.exercises[0].notes] == ["edge_case", "slow"]


def test_timing_advice_is_left_out_of_notes_unless_the_config_asks() -> None:
    graded = submission(passed("ex_a", EDGE, SLOW))
    plain = score(graded, IDS, GradingConfig())
    asked = score(graded, IDS, parse_config({"notes": {"timing_advice": True}}))
    assert [n.kind for n in plain.exercises[0].notes] == ["edge_case"]
    assert [n.kind for n in asked.exercises[0].notes] == ["edge_case", "slow"]
    assert plain.points == asked.points == 1.0


def test_timing_advice_must_be_true_or_false() -> None:
    with pytest.raises(
        GradingError, match=r"\[notes\] timing_advice = 'yes' must be true or false"
    ):
        parse_config({"notes": {"timing_advice": "yes"}})


def test_edge_case_cost_takes_its_share_once_and_only_for_edge_cases() -> None:
    config = parse_config({"weights": {"ex_a": 4}, "notes": {"edge_case_cost": 0.25}})
    result = score(
        submission(passed("ex_a", EDGE, EDGE), passed("ex_b", SLOW), failed("ex_c")), IDS, config
    )
    assert [p.points for p in result.exercises] == [3.0, 1.0, 0.0]
    assert result.exercises[0].note_cost == 1.0


def test_a_workbook_that_could_not_be_checked_scores_zero_out_of_the_same_total() -> None:
    result = score(submission(), IDS, parse_config({"weights": {"ex_b": 3}}))
    assert (result.points, result.max_points, result.percent) == (0.0, 5.0, 0.0)
    assert {p.status for p in result.exercises} == {"unchecked"}


def test_config_is_read_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "grading.toml"
    path.write_text(
        "[weights]\nex_a = 2.5\n[notes]\nedge_case_cost = 0.5\n"
        '[gradescope]\nvisibility = "after_published"\nstdout_visibility = "visible"\n'
    )
    config = load_config(path)
    assert (config.weight("ex_a"), config.weight("ex_b"), config.edge_case_cost) == (2.5, 1, 0.5)
    assert (config.visibility, config.summary_visibility, config.stdout_visibility) == (
        "after_published", "visible", "visible",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weight": {}}, "unknown section [weight]; the sections are [weights], [notes]"),
        ({"weights": {"ex_a": "three"}}, "[weights] ex_a = 'three' is not a number"),
        ({"weights": {"ex_a": -1}}, "[weights] ex_a = -1 must be at least 0"),
        ({"weights": {"ex_a": True}}, "[weights] ex_a = True is not a number"),
        ({"notes": {"edge_case_cost": 2}}, "edge_case_cost = 2 must be between 0 and 1"),
        ({"notes": {"edge_cost": 0.1}}, "unknown key 'edge_cost' in [notes]; allowed: edge_case"),
        ({"gradescope": {"visibility": "public"}}, "'public' is not one of Gradescope's settings"),
        ({"weights": 3}, "weights must be a table, written [weights]"),
    ],
)
def test_bad_config_values_are_refused_with_the_rule(data: dict, message: str) -> None:
    with pytest.raises(GradingError, match=r"grading config") as caught:
        parse_config(data, source="g.toml")
    assert message in str(caught.value)


def test_a_config_that_is_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "grading.toml"
    path.write_text("[weights\n")
    with pytest.raises(GradingError, match="is not valid TOML"):
        load_config(path)


def test_weights_for_unknown_exercises_are_named_with_a_suggestion() -> None:
    config = parse_config({"weights": {"batched_sofmax": 2}})
    assert config.unknown_exercises(["batched_softmax", "ex_a"]) == [
        "'batched_sofmax' (did you mean 'batched_softmax'?)"
    ]
