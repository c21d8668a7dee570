import pytest
import torch

from tensorlings.exercises import s08_as_strided as section

EXERCISES = section.EXERCISES
SHEET_INPUT = torch.tensor(
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]
)


def test_there_are_six_puzzles_in_order_on_the_sheets_input():
    assert [ex.id for ex in EXERCISES] == [f"as_strided_{i}" for i in range(1, 7)]
    for ex in EXERCISES:
        assert ex.judge.kind == "strided"
        assert ex.judge.input is not None
        assert torch.equal(ex.judge.input, SHEET_INPUT)
        assert ex.judge.input.is_contiguous()


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_returns_a_pair_of_int_tuples(ex):
    size, stride = ex.solution()
    assert isinstance(size, tuple) and isinstance(stride, tuple)
    assert len(size) == len(stride)
    assert all(type(v) is int for v in size + stride)


def test_broadcasting_answer_is_not_strictly_puzzle_3():
    # The sheet's `!=` check passes this (2, 1) answer against the (2, 3) target.
    target = EXERCISES[2].examples[0].expected
    actual = SHEET_INPUT.as_strided((2, 1), (11, 0))
    assert not (target != actual).any()
    assert actual.shape != target.shape


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_prompt_shows_input_and_target(ex):
    target = ex.examples[0].expected
    for line in repr(target).splitlines():
        assert line.strip() in ex.prompt
    assert "[15, 16, 17, 18, 19]" in ex.prompt
    assert str(tuple(target.shape)) in ex.prompt


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_output_is_exact_and_hints_are_questions(ex):
    assert (ex.output.rtol, ex.output.atol) == (0.0, 0.0)
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.rstrip().endswith("?") for hint in ex.hints)
