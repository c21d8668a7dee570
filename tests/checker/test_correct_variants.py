"""Correct solutions that look nothing like the reference pass, and so do the generated files.

Each exercise of the catalogue has at least one unusual but correct solution below (most have
two, one per workbook): other einops patterns, other torch spellings, Python numbers where a
single value is allowed, lists where tuples are expected, letters written "B" or "(b)".
"""

from __future__ import annotations

import ast
import sys

import pytest

from tensorlings import catalogue, workbook
from tensorlings.checker.results import ExerciseResult
from tensorlings.questions import correct_letter

pytestmark = pytest.mark.slow

EXERCISE_IDS = [exercise.id for exercise in catalogue.exercises()]
STRIDED_IDS = [e.id for e in catalogue.exercises() if e.judge.kind == "strided"]


def assert_passed(result: ExerciseResult) -> None:
    failing = [(p.kind, p.message) for p in result.problems if p.fails]
    assert result.status == "passed", f"{result.id} is {result.status}: {failing}"
    assert not failing


def answers(spell) -> str:
    """Functions answering every predict-the-output question, the letter written by `spell`."""
    return "".join(
        f"\n\ndef {e.id}():\n    return {spell(correct_letter(e.judge.question))!r}\n"
        for e in catalogue.exercises()
        if e.judge.kind == "question" and e.judge.question is not None
    )


VARIANTS_A = """
def relu_abs(x):
    "TODO: YOUR CODE HERE"
    pass


def rearrange_1():
    return einops.rearrange(torch.arange(3, 9, 1), "(h w) -> h w", h=3)


def rearrange_2():
    return rearrange(t.arange(1.0, 7.0), "(h w) -> h w", h=2)


def rearrange_3():
    return rearrange(t.arange(1, 7), "(a b c) -> a b c", a=1, c=1)


def temperatures_average(temps):
    assert len(temps) % 7 == 0
    "TODO: YOUR CODE HERE"
    return temps.reshape(-1, 7).mean(dim=1)


def temperatures_differences(temps):
    averages = reduce(temps, "(w d) -> w", "mean", d=7)
    return temps - repeat(averages, "w -> (w d)", d=7)


def temperatures_normalized(temps):
    weekly = temps.reshape(-1, 7)
    centered = weekly - weekly.mean(dim=-1, keepdim=True)
    return (centered / torch.std(weekly, dim=-1, keepdim=True)).reshape(-1)


def batched_dot_product_nd(a, b):
    return einops.einsum(a, b, "batch ..., batch ... -> batch")


def identity_matrix(n):
    a = t.arange(n)
    return (a[:, None] == a).int()


def sample_distribution(probs, n):
    cumulative = t.cumsum(probs, dim=0)
    multinomial = t.searchsorted(cumulative, t.rand(n), right=True)
    return multinomial.clamp(max=len(probs) - 1)


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(dim=1) == true_classes).float().mean().item()


def total_price_indexing(prices, items):
    return float(prices[items].sum())


def gather_2d(matrix, indexes):
    assert len(matrix.shape) == 2
    assert len(indexes) == len(matrix)
    out = matrix.gather(1, indexes)
    assert out.shape == indexes.shape
    assert (out == matrix[t.arange(matrix.shape[0])[:, None], indexes]).all()
    return out


def total_price_gather(prices, items):
    return t.gather(prices, 0, items).sum().item()


def integer_array_indexing(matrix, coords):
    return matrix[tuple(coords.T)]


def batched_logsumexp(matrix):
    top = reduce(matrix, "b n -> b 1", "max")
    total = reduce(t.exp(matrix - top), "b n -> b 1", "sum")
    return rearrange(top + t.log(total), "b 1 -> b")


def batched_softmax(matrix):
    # exp(x - logsumexp(x)), with the log-sum-exp written out by hand.
    top = matrix.amax(dim=1, keepdim=True)
    lse = top + (matrix - top).exp().sum(dim=1, keepdim=True).log()
    return (matrix - lse).exp()


def batched_logsoftmax(matrix):
    shifted = matrix - reduce(matrix, "b n -> b 1", "max")
    return shifted - t.log(t.sum(t.exp(shifted), dim=1, keepdim=True))


def batched_cross_entropy_loss(logits, true_labels):
    log_probs = batched_logsoftmax(logits)
    return -log_probs[t.arange(len(true_labels)), true_labels]


def collect_rows(matrix, row_indexes):
    return matrix.index_select(0, row_indexes)


def collect_columns(matrix, column_indexes):
    return matrix[:, column_indexes]


def as_strided_1():
    return [4], [1]


def as_strided_2():
    return [[2, 3], [5, 1]]


def as_strided_3():
    return [2, 3], (11, 0)


def as_strided_4():
    return ([4], [6])


def as_strided_5():
    return (2, 1, 3), (9, 0, 1)


def as_strided_6():
    return [2, 2, 2, 2], [12, 4, 2, 1]


def relu_clone_setitem(x):
    y = t.clone(x)
    y[x <= 0] = 0.0
    return y


def relu_where(x):
    return t.where(x < 0, t.zeros_like(x), x)


def relu_maximum(x):
    return t.max(x, t.zeros_like(x))


def relu_abs(x):
    return (x.abs() + x) * 0.5


def relu_multiply_bool(x):
    return (x > 0) * x
""" + answers(str.upper)

VARIANTS_B = """
def rearrange_1():
    return rearrange(t.arange(3.0, 9.0), "(rows cols) -> rows cols", rows=3, cols=2)


def rearrange_2():
    return rearrange(t.arange(1, 7), "(h w) -> h w", w=3)


def rearrange_3():
    return rearrange(t.arange(1, 7), "(x n y) -> x n y", x=1, y=1)


def temperatures_average(temps):
    return reduce(temps, "(w d) -> w", t.mean, d=7)


def temperatures_differences(temps):
    weekly = temps.view(-1, 7)
    return (weekly - weekly.mean(1, keepdim=True)).flatten()


def temperatures_normalized(temps):
    weekly = rearrange(temps, "(w d) -> w d", d=7)
    mean = reduce(weekly, "w d -> w 1", "mean")
    std = reduce(weekly, "w d -> w 1", t.std)
    return rearrange((weekly - mean) / std, "w d -> (w d)")


def batched_dot_product_nd(a, b):
    return t.einsum("i...,i...->i", a, b)


def identity_matrix(n):
    eye = t.arange(n).unsqueeze(1) == t.arange(n).unsqueeze(0)
    return eye


def sample_distribution(probs, n):
    # Scaling the draws by the last running total keeps every draw below it, even when the
    # probabilities add up to a little less than 1.
    cumulative = t.cumsum(probs, dim=0)
    draws = t.rand(n, 1) * cumulative[-1]
    return (draws >= cumulative).sum(dim=1)


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(dim=-1) == true_classes).sum() / len(true_classes)


def total_price_indexing(prices, items):
    return prices[items].sum().item()


def gather_2d(matrix, indexes):
    assert matrix.dim() == 2, "matrix is 2-D"
    assert indexes.dim() == 2
    assert indexes.size(0) == matrix.size(0)
    assert indexes.numel() == 0 or int(indexes.max()) < matrix.shape[1]
    out = matrix.gather(1, indexes)
    return out


def total_price_gather(prices, items):
    return float(prices.gather(-1, items).sum())


def _row_major_strides(shape):
    sizes = t.tensor(shape)
    inner = t.flip(t.cumprod(t.flip(sizes[1:], [0]), 0), [0])
    return t.cat([inner, t.ones(1, dtype=t.long)])


def integer_array_indexing(matrix, coords):
    flat_index = (coords * _row_major_strides(matrix.shape)).sum(dim=1)
    return matrix.reshape(-1)[flat_index]


def batched_logsumexp(matrix):
    top = matrix.max(dim=-1).values
    return top + t.log(t.exp(matrix - top[:, None]).sum(dim=-1))


def batched_softmax(matrix):
    exps = t.exp(matrix - matrix.max(dim=-1, keepdim=True).values)
    return exps / reduce(exps, "b n -> b 1", "sum")


def batched_logsoftmax(matrix):
    top = matrix.max(dim=-1, keepdim=True)[0]
    return (matrix - top) - (matrix - top).exp().sum(-1, keepdim=True).log()


def batched_cross_entropy_loss(logits, true_labels):
    picked = batched_logsoftmax(logits).gather(1, rearrange(true_labels, "b -> b 1"))
    return -rearrange(picked, "b 1 -> b")


def collect_rows(matrix, row_indexes):
    return matrix[row_indexes, :]


def collect_columns(matrix, column_indexes):
    return collect_rows(matrix.T, column_indexes).T


def as_strided_1():
    return ((4,), (1,))


def as_strided_2():
    return (2, 3), [5, 1]


def as_strided_3():
    return [[2, 3], [11, 0]]


def as_strided_4():
    return [4], (6,)


def as_strided_5():
    # The middle axis has size 1: its stride is never used.
    return [2, 1, 3], [9, 100, 1]


def as_strided_6():
    return (2, 2, 2, 2), (12, 4, 2, 1)


def relu_clone_setitem(x):
    y = x.clone()
    y[y < 0] *= 0
    return y


def relu_where(x):
    return x.where(x > 0, t.tensor(0.0, dtype=x.dtype))


def relu_maximum(x):
    return x.maximum(x.new_zeros(()))


def relu_abs(x):
    return (x + t.absolute(x)) / 2


def relu_multiply_bool(x):
    return t.mul(x, x.gt(0))
""" + answers(lambda letter: f"({letter})")

VARIANTS = {"variants_a": VARIANTS_A, "variants_b": VARIANTS_B}


@pytest.fixture(scope="module")
def variants(check_source):
    return {name: check_source(name, code) for name, code in VARIANTS.items()}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_exercise_has_an_unusual_solution(name):
    defined = {
        node.name for node in ast.parse(VARIANTS[name]).body if isinstance(node, ast.FunctionDef)
    }
    assert sorted(set(EXERCISE_IDS) - defined) == []


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_unusual_correct_solution_passes(variants, name, exercise_id):
    assert_passed(variants[name][exercise_id])


def test_question_answers_are_read_loosely(check_source):
    loose = answers(lambda letter: f" {letter}. ") + answers(lambda letter: f"{letter})")
    results = check_source("loose_answers", loose)
    for e in catalogue.exercises():
        if e.judge.kind == "question":
            assert_passed(results[e.id])


# --- The generated workbooks ------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_py(reference_workbook_report):
    return reference_workbook_report


@pytest.fixture(scope="module")
def reference_ipynb(workbook_dir, check_file):
    path = workbook_dir / "reference.ipynb"
    path.write_text(workbook.to_ipynb(workbook.reference_cells()), encoding="utf-8")
    return check_file(path)


@pytest.fixture(scope="module")
def learner_stubs(workbook_dir, check_file):
    path = workbook_dir / "learner.py"
    path.write_text(workbook.to_py(workbook.learner_cells()), encoding="utf-8")
    return check_file(path)


def test_reference_workbook_passes_every_exercise(reference_py):
    assert [r.id for r in reference_py.exercises] == EXERCISE_IDS
    for result in reference_py.exercises:
        assert_passed(result)
    assert reference_py.load_notes == ()
    assert reference_py.exit_code == 0


def test_reference_notebook_passes_every_exercise(reference_ipynb):
    assert [r.id for r in reference_ipynb.exercises] == EXERCISE_IDS
    for result in reference_ipynb.exercises:
        assert_passed(result)
    assert reference_ipynb.exit_code == 0


def test_learner_stubs_are_all_not_started(learner_stubs):
    assert {r.id: r.status for r in learner_stubs.exercises} == dict.fromkeys(
        EXERCISE_IDS, "not_started"
    )
    assert all(r.problems == () for r in learner_stubs.exercises)
    assert learner_stubs.exit_code == 0


# --- The sheet's own as_strided format ----------------------------------------------------------

SHEET_TEST_CASES = """
from collections import namedtuple

TestCase = namedtuple("TestCase", ["output", "size", "stride"])
test_input_a = t.tensor(
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]
)
test_cases = [
    TestCase(output=t.tensor([0, 1, 2, 3]), size={0}),
    TestCase(output=t.tensor([[0, 1, 2], [5, 6, 7]]), size={1}),
    TestCase(output=t.tensor([[0, 0, 0], [11, 11, 11]]), size={2}),
    TestCase(output=t.tensor([0, 6, 12, 18]), size={3}),
    TestCase(output=t.tensor([[[0, 1, 2]], [[9, 10, 11]]]), size={4}),
    TestCase(
        output=t.tensor(
            [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]], [[[12, 13], [14, 15]], [[16, 17], [18, 19]]]]
        ),
        size={5},
    ),
]
for i, case in enumerate(test_cases):
    actual = test_input_a.as_strided(size=case.size, stride=case.stride)
    if (case.output != actual).any():
        print(f"Test {{i}} failed:")
        print(f"Expected: {{case.output}}")
        print(f"Actual: {{actual}}")
    else:
        print(f"Test {{i}} passed!")
"""
BLANK = "(1,), stride=(1,)"
FILLED = {
    1: "(4,), stride=(1,)",
    2: "(2, 3), stride=(5, 1)",
    3: "[2, 3], stride=[11, 0]",
    4: "(4,), stride=(6,)",
    5: "(2, 1, 3), stride=(9, 3, 1)",
    6: "(2, 2, 2, 2), stride=(12, 4, 2, 1)",
}


def sheet_cases(filled: dict[int, str]) -> str:
    """The sheet's as_strided cell with puzzle n's size and stride from `filled` (else blank)."""
    return SHEET_TEST_CASES.format(*[filled.get(n, BLANK) for n in range(1, 7)])


def test_sheet_test_cases_list_answers_the_as_strided_puzzles(check_source):
    results = check_source("sheet_filled", sheet_cases(FILLED))
    for exercise_id in STRIDED_IDS:
        assert_passed(results[exercise_id])


def test_sheet_placeholders_are_not_started(check_source):
    results = check_source("sheet_blank", sheet_cases({}))
    assert {i: results[i].status for i in STRIDED_IDS} == dict.fromkeys(STRIDED_IDS, "not_started")


def test_sheet_test_cases_partly_filled_are_judged_one_by_one(check_source):
    # Two right, one that only broadcasts to the target, the rest still blank.
    filled = {1: FILLED[1], 2: FILLED[2], 3: "(2, 1), stride=(11, 0)"}
    results = check_source("sheet_partial", sheet_cases(filled))
    assert_passed(results["as_strided_1"])
    assert_passed(results["as_strided_2"])
    assert results["as_strided_3"].status == "failed"
    assert [p.kind for p in results["as_strided_3"].problems if p.fails] == ["wrong_shape"]
    assert [results[f"as_strided_{n}"].status for n in (4, 5, 6)] == ["not_started"] * 3


def test_as_strided_functions_take_precedence_over_the_sheet_list(check_source):
    wrong_list = sheet_cases({n: "(4,), stride=(1,)" for n in range(1, 7)})
    function = "\n\ndef as_strided_2():\n    return (2, 3), (5, 1)\n"
    results = check_source("sheet_and_function", wrong_list + function)
    assert_passed(results["as_strided_2"])
    assert results["as_strided_3"].status == "failed"


# --- What real learners' files look like --------------------------------------------------------

SHEET_STYLE = '''
import math
from einops import rearrange, repeat, reduce
import torch as t


def assert_all_equal(actual: t.Tensor, expected: t.Tensor) -> None:
    assert actual.shape == expected.shape, f"Shape mismatch, got: {actual.shape}"
    assert (actual == expected).all(), f"Value mismatch, got: {actual}"
    print("Passed!")


def assert_all_close(actual: t.Tensor, expected: t.Tensor, rtol=1e-05, atol=0.0001) -> None:
    assert actual.shape == expected.shape, f"Shape mismatch, got: {actual.shape}"
    assert t.allclose(actual, expected, rtol=rtol, atol=atol)
    print("Passed!")


def rearrange_1() -> t.Tensor:
    """Return the following tensor using only torch.arange and einops.rearrange."""
    return rearrange(t.arange(3, 9), "(a b) -> a b", b=2)


expected = t.tensor([[3, 4], [5, 6], [7, 8]])
assert_all_equal(rearrange_1(), expected)


def batched_softmax(matrix: t.Tensor) -> t.Tensor:
    """For each row of the matrix, compute softmax(row)."""
    exps = (matrix - matrix.max(dim=-1, keepdim=True).values).exp()
    return exps / exps.sum(dim=-1, keepdim=True)


matrix = t.arange(1, 6).view((1, 5)).float().log()
expected = t.arange(1, 6).view((1, 5)) / 15.0
actual = batched_softmax(matrix)
assert_all_close(actual, expected)
for i in [0.12, 3.4, -5, 6.7]:
    assert_all_close(actual, batched_softmax(matrix + i))


def classifier_accuracy(scores: t.Tensor, true_classes: t.Tensor) -> t.Tensor:
    assert true_classes.max() < scores.shape[1]
    return (scores.argmax(dim=1) == true_classes).float().mean()


scores = t.tensor([[0.75, 0.5, 0.25], [0.1, 0.5, 0.4], [0.1, 0.7, 0.2]])
true_classes = t.tensor([0, 1, 0])
expected = 2.0 / 3.0
assert classifier_accuracy(scores, true_classes) == expected


def test_relu(relu_func):
    print(f"Testing: {relu_func.__name__}")
    x = t.arange(-1, 3, dtype=t.float32, requires_grad=True)
    out = relu_func(x)
    expected = t.tensor([0.0, 0.0, 1.0, 2.0])
    assert_all_close(out, expected)


def relu_where(x: t.Tensor) -> t.Tensor:
    """Use torch.where."""
    return t.where(x > 0, x, t.tensor(0.0))


test_relu(relu_where)
'''


def test_workbook_with_the_sheets_own_test_code_passes(workbook_dir, check_file):
    path = workbook_dir / "sheet_style.py"
    path.write_text(SHEET_STYLE, encoding="utf-8")
    report = check_file(path)
    results = {r.id: r for r in report.exercises}
    for exercise_id in ("rearrange_1", "batched_softmax", "classifier_accuracy", "relu_where"):
        assert_passed(results[exercise_id])
    assert report.load_notes == ()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="matrix[*coords.T] is Python 3.11 syntax")
def test_star_unpacking_inside_an_index_passes(check_source):
    code = "def integer_array_indexing(matrix, coords):\n    return matrix[*coords.T]\n"
    assert_passed(check_source("star_index", code)["integer_array_indexing"])


def test_forbidden_function_called_only_in_the_learners_own_assert_is_not_counted(
    check_source,
):
    code = """
def identity_matrix(n):
    a = t.arange(n)
    out = (a[:, None] == a).long()
    assert (out == t.eye(n)).all()
    return out
"""
    assert_passed(check_source("assert_only_eye", code)["identity_matrix"])
