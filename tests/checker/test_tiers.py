"""The two tiers of a verdict, end to end: what the sheet asks for fails the exercise, what lies
beyond it is an `edge_case` note; the smallest failing case stays in the contract; the classic
mistakes of real learners are named in the message."""

from __future__ import annotations

import re

import pytest

from tensorlings.checker.results import ExerciseResult, Problem

pytestmark = pytest.mark.slow

BEYOND_THE_SHEET = """
def collect_rows(matrix, row_indexes):
    assert row_indexes.max() < matrix.shape[0]
    return matrix[row_indexes]


def collect_columns(matrix, column_indexes):
    assert column_indexes.max() < matrix.shape[1]
    return matrix[:, column_indexes]


def batched_cross_entropy_loss(logits, true_labels):
    assert true_labels.max() < logits.shape[1]
    picked = logits.gather(1, true_labels.unsqueeze(1)).squeeze(1)
    top = logits.max(dim=1, keepdim=True).values
    return (logits - top).exp().sum(dim=1).log() + top.squeeze(1) - picked


def relu_where(x):
    return t.where(x > 0, x, t.tensor(0.0)).float()


def batched_softmax(matrix):
    exps = (matrix - matrix.max(dim=-1, keepdim=True).values).exp()
    return (exps / exps.sum(dim=-1, keepdim=True)).float()


def batched_logsumexp(matrix):
    top = matrix.max(dim=-1, keepdim=True).values
    return (matrix - top).exp().sum(dim=-1).log() + top.squeeze(-1)


def sample_distribution(probs, n):
    return (t.rand(n, 1) > t.cumsum(probs, dim=0)).sum(dim=-1)


def temperatures_average(temps):
    weekly = rearrange(temps, "(w d) -> w d", d=7)
    return weekly.mean(dim=1).detach()


def relu_maximum(x):
    flat = x.reshape(-1, x.shape[-1])
    return t.maximum(flat, t.zeros_like(flat)).reshape(x.shape)
"""


@pytest.fixture(scope="module")
def beyond(check_source):
    return check_source("beyond_the_sheet", BEYOND_THE_SHEET)


def note_of(result: ExerciseResult, family: str, *words: str) -> Problem:
    """The exercise passed, with an edge-case note of this family that has all `words`."""
    failing = [(p.kind, p.message) for p in result.problems if p.fails]
    assert result.status == "passed", f"{result.id} is {result.status}: {failing}"
    notes = [p for p in result.problems if p.kind == "edge_case"]
    assert notes, f"{result.id} has no edge-case note"
    for note in notes:
        if note.details.get("family") == family:
            assert not note.fails
            assert note.message.startswith("passes, but not on")
            for word in words:
                assert word in note.message, note.message
            return note
    raise AssertionError(f"{result.id}: no {family} note among {[n.details for n in notes]}")


@pytest.mark.parametrize(
    "exercise_id", ["collect_rows", "collect_columns", "batched_cross_entropy_loss"]
)
def test_sheet_guard_asserts_on_empty_inputs_are_a_note(beyond, exercise_id):
    note = note_of(beyond[exercise_id], "empty", "raised RuntimeError", "numel() == 0")
    assert note.details["as"] == "exception"


@pytest.mark.parametrize("exercise_id", ["relu_where", "batched_softmax"])
def test_a_float_cast_is_right_on_the_sheets_dtype_and_a_note_beyond(beyond, exercise_id):
    note_of(beyond[exercise_id], "other_dtypes", "float64", "got float32", "dtype=x.dtype")


def test_logsumexp_giving_nan_on_an_all_minus_inf_row_is_a_note(beyond):
    note_of(beyond["batched_logsumexp"], "infinite", "-inf")


def test_the_literal_sampler_passes_with_a_note_on_probabilities_below_one(beyond):
    note_of(beyond["sample_distribution"], "unnormalised", "0.9998", "returned index 3")


def test_gradients_beyond_the_sheet_are_a_note_where_the_sheet_never_asks(beyond):
    note_of(beyond["temperatures_average"], "gradients", "gradients")


def test_a_relu_that_needs_an_axis_is_a_note_on_0_d_tensors(beyond):
    note_of(beyond["relu_maximum"], "zero_dim", "0-d", "IndexError")


def test_strict_makes_every_note_fail(beyond):
    strict = beyond["collect_rows"].strict()
    assert strict.status == "failed"
    assert [p.fails for p in strict.problems if p.kind == "edge_case"] == [True]


# --- What stays in the contract --------------------------------------------------------------

CONTRACT = """
def temperatures_average(temps):
    return temps.reshape(3, 7).mean(dim=1)


def identity_matrix(n):
    assert n > 0
    index = t.arange(n)
    return (index[:, None] == index).long()


def relu_where(x):
    return t.where(x > 0, x, 0.0).detach()


def batched_softmax(matrix):
    exps = matrix.exp()
    return exps / exps.sum(dim=-1, keepdim=True)


def batched_logsoftmax(matrix):
    shifted = matrix - matrix.max(dim=-1, keepdim=True).values
    exps = shifted.exp()
    exps /= exps.sum(dim=-1, keepdim=True)
    return exps.log()
"""


@pytest.fixture(scope="module")
def contract(check_source):
    return check_source("contract", CONTRACT)


def test_hard_coded_weeks_shrink_to_a_contract_size_and_are_named(contract):
    result = contract["temperatures_average"]
    assert result.status == "failed"
    (problem,) = [p for p in result.problems if p.fails]
    assert "weeks=1" in problem.message or "weeks=2" in problem.message
    assert "weeks=0" not in problem.message
    assert problem.mistake == "code that is right only on the example's sizes"
    assert not [p for p in result.problems if p.kind == "edge_case"]  # none while failing


def test_an_empty_input_the_sheet_itself_tests_is_in_the_contract(contract):
    result = contract["identity_matrix"]
    assert result.status == "failed"
    assert [p.kind for p in result.problems if p.fails] == ["exception"]


def test_relu_gradients_are_in_the_contract(contract):
    assert [p.kind for p in contract["relu_where"].problems if p.fails] == ["no_gradient"]


IN_PLACE_SOFTMAX = """
def batched_softmax(matrix):
    exps = (matrix - matrix.max(dim=-1, keepdim=True).values).exp()
    exps /= exps.sum(dim=-1, keepdim=True)
    return exps
"""


def test_an_in_place_step_that_breaks_backward_passes_with_a_note_on_how_to_write_it(
    check_source,
):
    # The sheet never asks the numerics for gradients: breaking backward is beyond it.
    result = check_source("in_place_softmax", IN_PLACE_SOFTMAX)["batched_softmax"]
    assert result.status == "passed"
    (note,) = [p for p in result.problems if "backward" in p.message]
    assert not note.fails
    assert "e = e / s" in note.message
    assert "Hint:" not in note.message


def test_numerical_stability_is_in_the_contract_and_named(contract):
    (problem,) = [p for p in contract["batched_softmax"].problems if p.fails]
    assert problem.kind == "unstable"
    assert problem.mistake == "exp without subtracting the maximum"


# --- The classic mistakes, named -------------------------------------------------------------

CLASSIC = """
def temperatures_normalized(temps):
    weekly = rearrange(temps, "(w d) -> w d", d=7)
    centered = weekly - weekly.mean(dim=1, keepdim=True)
    return rearrange(centered / weekly.std(dim=1, unbiased=False, keepdim=True), "w d -> (w d)")


def batched_softmax(matrix):
    exps = (matrix - matrix.max(dim=-1, keepdim=True).values).exp()
    return exps / exps.sum(dim=-1)


def batched_logsoftmax(matrix):
    exps = (matrix - matrix.max(dim=-1, keepdim=True).values).exp()
    return (exps / exps.sum(dim=-1, keepdim=True)).log()


def batched_cross_entropy_loss(logits, true_labels):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -(t.nn.functional.one_hot(true_labels, logits.shape[1]) * log_probs).sum(dim=1)


def total_price_indexing(prices, items):
    return prices[items.unique()].sum()


def sample_distribution(probs, n):
    return (t.rand(n, 1) < t.cumsum(probs, dim=0)).sum(dim=-1)


def batched_dot_product_nd(a, b):
    return t.einsum("bi,bi->b", a, b)


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(dim=0) == true_classes).float().mean()


def temperatures_average(temps):
    return reduce(temps, "(d w) -> w", "mean", d=7)
"""


@pytest.fixture(scope="module")
def classic(check_source):
    return check_source("classic", CLASSIC)


@pytest.mark.parametrize(
    ("exercise_id", "mistake"),
    [
        ("temperatures_normalized", "the population standard deviation"),
        ("batched_softmax", "a row sum without keepdim"),
        ("batched_logsoftmax", "the log of a softmax"),
        ("batched_cross_entropy_loss", "a one-hot mask times log-probabilities that may be -inf"),
        ("total_price_indexing", "dropping repeated purchases"),
        ("sample_distribution", "the reversed comparison"),
        ("batched_dot_product_nd", "an einsum written for 2-D inputs only"),
        ("classifier_accuracy", "taking the argmax over the batch axis"),
        ("temperatures_average", "grouping every 7th day together"),
    ],
)
def test_classic_mistake_fails_and_the_message_names_it(classic, exercise_id, mistake):
    result = classic[exercise_id]
    assert result.status == "failed"
    first = next(p for p in result.problems if p.fails)
    assert first.mistake == mistake, first.message
    assert first.message.split(": ", 1)[1].startswith(f"this is what {mistake} gives")


def test_messages_read_to_the_end(beyond, contract, classic):
    """No double spaces, no unrounded numbers, no path of tensorlings' own files."""
    for results in (beyond, contract, classic):
        for result in results.values():
            for problem in result.problems:
                assert "  " not in problem.message, repr(
                    problem.message[problem.message.index("  ") - 40 :][:80]
                )
                assert not re.search(r"\d\.\d{9,}", problem.message), problem.message
                assert "e+0" not in problem.message, problem.message
            assert "tensorlings/" not in result.output, result.output


def test_only_asserts_that_relate_arguments_or_output_count():
    import ast

    from tensorlings.checker.exercise_judges import relating_asserts

    source = """
def gather_2d(matrix, indexes):
    assert 1 == 1
    assert matrix.shape == matrix.shape
    assert True
    out = matrix.gather(1, indexes)
    assert out is out
    assert out.shape == indexes.shape
    assert indexes.max() < matrix.shape[1]
    return out
"""
    node = ast.parse(source).body[0]
    kept = [ast.unparse(a.test) for a in relating_asserts(node)]
    assert kept == ["out.shape == indexes.shape", "indexes.max() < matrix.shape[1]"]


GLOBALS = """
ZERO = t.tensor(0.0)
zero = t.tensor(0.0)
temps = t.tensor([71.0, 72, 70, 75, 71, 72, 70])


def relu_where(x):
    return t.where(x > ZERO, x, ZERO)


def relu_maximum(x):
    return t.maximum(x, zero)


def temperatures_average(weekly):
    return temps.reshape(-1, 7).mean(dim=1)
"""


def test_a_constant_read_from_the_file_is_allowed_but_test_data_is_not(check_source):
    results = check_source("globals", GLOBALS)
    assert results["relu_where"].status == "passed", results["relu_where"].problems
    assert results["relu_maximum"].status == "passed", results["relu_maximum"].problems
    problem = next(p for p in results["temperatures_average"].problems if p.fails)
    assert problem.kind == "exception"
    assert "'temps' is test data" in problem.message


NO_GRAD_NUMERICS = """
@t.no_grad()
def batched_logsumexp(matrix):
    top = matrix.max(dim=-1, keepdim=True).values
    return (matrix - top).exp().sum(dim=-1).log() + top.squeeze(-1)
"""


def test_a_stable_function_under_no_grad_passes_since_the_sheet_asks_no_gradients(check_source):
    result = check_source("no_grad_numerics", NO_GRAD_NUMERICS)["batched_logsumexp"]
    assert result.status == "passed"
    assert all(not p.fails for p in result.problems)
