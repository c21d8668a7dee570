import string

import pytest
import torch

from tensorlings.exercise import Exercise
from tensorlings.exercises import s02_tensor_vs_tensor as section
from tensorlings.questions import run_snippet

EXERCISES = section.EXERCISES
BY_ID = {ex.id: ex for ex in EXERCISES}
# The letter each question's right option has; the reference must find the same by running.
EXPECTED_LETTERS = {
    "tensor_from_size": "b",
    "tensor_from_tuple": "c",
    "tensor_from_list": "c",
    "tensor_of_bools_dtype": "d",
    "mean_of_int_tensor": "c",
}
# Outcomes of other snippets: an option must answer False to them, never raise.
FOREIGN_OUTCOMES = [
    None,
    3,
    2.5,
    "a",
    torch.float32,
    torch.bool,
    RuntimeError("boom"),
    TypeError("boom"),
    torch.tensor(2.5),
    torch.tensor(2),
    torch.tensor([5.0]),
    torch.zeros(5),
    torch.zeros(2, 3, dtype=torch.int64),
]


def _question(ex: Exercise):
    assert ex.judge.question is not None
    return ex.judge.question


def test_section_has_the_five_questions_in_order():
    assert [ex.id for ex in EXERCISES] == list(EXPECTED_LETTERS)
    assert all(ex.section == section.SECTION for ex in EXERCISES)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_exactly_one_option_matches_the_snippet(ex):
    question = _question(ex)
    outcome = run_snippet(question.snippet)
    matching = [opt.letter for opt in question.options if opt.matches(outcome)]
    assert matching == [EXPECTED_LETTERS[ex.id]]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_returns_the_matching_letter(ex):
    assert ex.solution() == EXPECTED_LETTERS[ex.id]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_options_are_lettered_a_b_c_in_order(ex):
    letters = [opt.letter for opt in _question(ex).options]
    assert 3 <= len(letters) <= 4
    assert letters == list(string.ascii_lowercase[: len(letters)])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_option_predicates_answer_foreign_outcomes_without_raising(ex):
    for opt in _question(ex).options:
        for outcome in FOREIGN_OUTCOMES:
            assert isinstance(opt.matches(outcome), bool)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_prompt_shows_the_snippet_and_every_option(ex):
    question = _question(ex)
    for line in question.snippet.splitlines():
        assert line in ex.prompt
    for opt in question.options:
        assert f"{opt.letter}) {opt.text}" in ex.prompt


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_question_exercise_is_judged_by_letter_with_no_cases(ex):
    assert ex.judge.kind == "question"
    assert ex.examples == ()
    assert ex.cases is None
    assert _question(ex).explanation
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.rstrip().endswith("?") for hint in ex.hints)


def test_uninitialised_tensor_question_gives_the_same_letter_every_run():
    ex = BY_ID["tensor_from_size"]
    assert {ex.solution() for _ in range(5)} == {"b"}


def test_snippet_outcomes_are_what_the_sheet_describes():
    from_size = run_snippet(_question(BY_ID["tensor_from_size"]).snippet)
    assert from_size.shape == (5,) and from_size.dtype == torch.float32
    for exercise_id in ("tensor_from_tuple", "tensor_from_list"):
        outcome = run_snippet(_question(BY_ID[exercise_id]).snippet)
        assert outcome.dtype == torch.float32 and outcome.tolist() == [5.0]
    assert run_snippet(_question(BY_ID["tensor_of_bools_dtype"]).snippet) == torch.float32
    error = run_snippet(_question(BY_ID["mean_of_int_tensor"]).snippet)
    assert isinstance(error, RuntimeError) and "Long" in str(error)
