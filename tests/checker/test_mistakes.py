"""Realistic wrong solutions: each is failed with the right kind of problem and a message that
names the call or the rule, and the healthy exercises written next to it still pass.

Every problem kind that learner functions can cause is covered at least once (wrong_device
needs a GPU and is not exercised here). One workbook holds several exercises, so the whole
module checks only a handful of files through the session's worker.
"""

from __future__ import annotations

import pytest

from tensorlings.checker.results import PROBLEM_KINDS, ExerciseResult, Problem
from tensorlings.checker.sandbox import Limits

pytestmark = pytest.mark.slow

# The kinds a learner's function can cause, as opposed to coach advice and GPU-only kinds.
LEARNER_KINDS = (
    "wrong_type",
    "wrong_shape",
    "wrong_dtype",
    "wrong_values",
    "not_finite",
    "unstable",
    "mutates_input",
    "no_gradient",
    "forbidden_call",
    "missing_call",
    "uses_loop",
    "forbidden_import",
    "exception",
    "timeout",
    "memory_limit",
    "crashed",
)


def problem_of(result: ExerciseResult, kind: str, *words: str) -> Problem:
    """The exercise failed with a problem of exactly `kind` whose message has all `words`."""
    assert result.status == "failed", f"{result.id} is {result.status}: {result.problems}"
    of_kind = [p for p in result.problems if p.kind == kind]
    kinds = [p.kind for p in result.problems]
    assert of_kind, f"{result.id}: no {kind} problem among {kinds}"
    for problem in of_kind:
        if all(word.lower() in problem.message.lower() for word in words):
            assert problem.fails
            return problem
    messages = "\n".join(p.message for p in of_kind)
    raise AssertionError(f"{result.id}: no {kind} message mentions {words}:\n{messages}")


def failing_kinds(result: ExerciseResult) -> list[str]:
    return [p.kind for p in result.problems if p.fails]


def assert_passed(result: ExerciseResult) -> None:
    failing = [(p.kind, p.message) for p in result.problems if p.fails]
    assert result.status == "passed", f"{result.id} is {result.status}: {failing}"
    assert not failing


# --- Numerical stability ------------------------------------------------------------------------

UNSTABLE = """
def batched_logsumexp(matrix):
    return matrix.exp().sum(dim=-1).log()


def batched_softmax(matrix):
    exps = matrix.exp()
    return exps / exps.sum(dim=-1, keepdim=True)


def batched_logsoftmax(matrix):
    exps = (matrix - matrix.amax(dim=1, keepdim=True)).exp()
    return (exps / exps.sum(dim=1, keepdim=True)).log()


def batched_cross_entropy_loss(logits, true_labels):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    one_hot = t.nn.functional.one_hot(true_labels, logits.shape[1])
    return -(log_probs * one_hot).sum(dim=1)


def temperatures_differences(temps):
    weekly = rearrange(temps, "(w d) -> w d", d=7)
    return rearrange(weekly - weekly.mean(dim=1, keepdim=True), "w d -> (w d)")


def relu_maximum(x):
    return t.maximum(x, t.zeros_like(x))
"""


@pytest.fixture(scope="module")
def unstable(check_source):
    return check_source("unstable", UNSTABLE)


def test_softmax_without_max_subtraction_is_reported_unstable(unstable):
    problem_of(unstable["batched_softmax"], "unstable", "large", "maximum")


def test_log_of_softmax_is_reported_unstable(unstable):
    problem_of(unstable["batched_logsoftmax"], "unstable", "large", "-inf")


def test_logsumexp_without_the_shift_is_unstable_on_the_sheets_example(unstable):
    # Right on every moderate random case, non-finite on the sheet's ±1000 rows: instability.
    problem = problem_of(
        unstable["batched_logsumexp"], "unstable", "nan or inf", "batched_logsumexp(matrix="
    )
    assert "-1000." in problem.message  # the call shown is the sheet's ±1000 example
    assert problem.call is not None and problem.call.startswith("batched_logsumexp(")


def test_cross_entropy_with_one_hot_multiply_is_not_finite_on_the_inf_example(unstable):
    problem = problem_of(
        unstable["batched_cross_entropy_loss"],
        "not_finite",
        "nan",
        "batched_cross_entropy_loss(logits=",
    )
    assert "-inf" in problem.message


# --- Shape and dtype ----------------------------------------------------------------------------

SHAPE_AND_DTYPE = """
def batched_logsumexp(matrix):
    top = matrix.max(dim=-1, keepdim=True).values
    return top + (matrix - top).exp().sum(dim=-1, keepdim=True).log()


def batched_softmax(matrix):
    matrix = matrix.double()
    exps = (matrix - matrix.max(dim=1, keepdim=True).values).exp()
    return exps / exps.sum(dim=1, keepdim=True)


def batched_logsoftmax(matrix):
    shifted = matrix - matrix.max(dim=1, keepdim=True).values
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def batched_cross_entropy_loss(logits, true_labels):
    log_probs = batched_logsoftmax(logits)
    return -log_probs.gather(1, true_labels[:, None])[:, 0]


def as_strided_3():
    return (2, 1), (11, 0)


def as_strided_4():
    return (4,), (6,)
"""


@pytest.fixture(scope="module")
def shape_and_dtype(check_source):
    return check_source("shape_and_dtype", SHAPE_AND_DTYPE)


def test_keepdim_result_is_reported_wrong_shape(shape_and_dtype):
    problem_of(
        shape_and_dtype["batched_logsumexp"],
        "wrong_shape",
        "expected shape (2,), got (2, 1)",
        "batched_logsumexp(matrix=",
    )


def test_softmax_returning_float64_for_float32_input_is_reported_wrong_dtype(shape_and_dtype):
    problem_of(
        shape_and_dtype["batched_softmax"],
        "wrong_dtype",
        "expected dtype float32",
        "got float64",
        "batched_softmax(matrix=",
    )


def test_as_strided_size_that_only_broadcasts_to_the_target_is_wrong_shape(shape_and_dtype):
    problem_of(shape_and_dtype["as_strided_3"], "wrong_shape", "as_strided(size=(2, 1)", "(2, 3)")


# --- Wrong values on inputs the sheet does not try ----------------------------------------------

VALUES = """
def temperatures_average(temps):
    return temps.view(3, 7).mean(dim=1)


def temperatures_differences(temps):
    weekly = temps.reshape(-1, 7)
    return (weekly - weekly.mean(dim=1, keepdim=True)).reshape(-1)


def temperatures_normalized(temps):
    weekly = rearrange(temps, "(w d) -> w d", d=7)
    centered = weekly - weekly.mean(dim=1, keepdim=True)
    return rearrange(centered / weekly.std(dim=1, unbiased=False, keepdim=True), "w d -> (w d)")


def batched_dot_product_nd(a, b):
    return t.einsum("b...,b...->b", a, b)


def classifier_accuracy(scores, true_classes):
    return (scores.argmax(0) == true_classes).float().mean()


def batched_logsumexp(matrix):
    top = matrix.amax(dim=1, keepdim=True)
    return (top + (matrix - top).exp().sum(dim=1, keepdim=True).log()).squeeze()
"""


@pytest.fixture(scope="module")
def values(check_source):
    return check_source("values", VALUES)


def test_temperatures_hard_coded_to_three_weeks_raise_on_other_sizes(values):
    problem = problem_of(
        values["temperatures_average"],
        "exception",
        "temperatures_average(temps=",
        "RuntimeError",
        "view(3, 7)",
    )
    assert problem.line is not None


def test_normalizing_with_the_population_std_is_reported_wrong_values(values):
    problem_of(
        values["temperatures_normalized"],
        "wrong_values",
        "-0.3325",  # what torch.std gives for day one
        "-0.3592",  # what the population std gives
        "temperatures_normalized(temps=",
    )


def test_classifier_taking_argmax_over_the_batch_axis_is_reported_wrong_values(values):
    problem_of(values["classifier_accuracy"], "wrong_values", "classifier_accuracy(scores=")


def test_squeeze_without_a_dim_drops_a_batch_of_one_and_is_wrong_shape(values):
    problem = problem_of(
        values["batched_logsumexp"],
        "wrong_shape",
        "expected shape (1,), got ()",
        "batched_logsumexp(matrix=",
    )
    assert "batch=1" in problem.message  # shrunk to the smallest failing case


# --- The exercises' rules ---------------------------------------------------------------------

RULES = """
def rearrange_1():
    return t.tensor([[3, 4], [5, 6], [7, 8]])


def rearrange_2():
    return t.arange(1, 7).view(2, 3)


def rearrange_3():
    return rearrange(t.arange(1, 7), "n -> 1 n 1")


def identity_matrix(n):
    return t.eye(n)


def total_price_indexing(prices, items):
    return prices.gather(0, items).sum()


def total_price_gather(prices, items):
    return t.gather(prices, 0, items).sum()


def gather_2d(matrix, indexes):
    assert matrix.ndim == 2
    out = matrix.gather(1, indexes)
    assert out.shape == indexes.shape
    return out


def integer_array_indexing(matrix, coords):
    return matrix[tuple(coords.T)]


def collect_rows(matrix, row_indexes):
    rows = matrix[row_indexes]


def collect_columns(matrix, column_indexes):
    return matrix[:, column_indexes].tolist()


def relu_clone_setitem(x):
    x[x < 0] = 0
    return x.clone()


def relu_where(x):
    return t.where(x > 0, x, 0.0).detach()


def relu_maximum(x):
    return t.maximum(x, t.zeros_like(x))


def relu_multiply_bool(x):
    return x * (x > 0).float()
"""


@pytest.fixture(scope="module")
def rules(check_source):
    return check_source("rules", RULES)


def test_identity_with_torch_eye_is_a_forbidden_call(rules):
    problem_of(rules["identity_matrix"], "forbidden_call", "called eye", "torch.eye")


def test_rearrange_with_a_tensor_literal_is_a_forbidden_call(rules):
    problem_of(rules["rearrange_1"], "forbidden_call", "may only call arange, rearrange", "tensor")


def test_rearrange_with_a_tensor_literal_misses_arange_and_rearrange(rules):
    problem_of(rules["rearrange_1"], "missing_call", "torch.arange")
    problem_of(rules["rearrange_1"], "missing_call", "einops.rearrange")


def test_rearrange_with_view_is_a_forbidden_call_and_misses_rearrange(rules):
    problem_of(rules["rearrange_2"], "forbidden_call", "also called view")
    problem_of(rules["rearrange_2"], "missing_call", "einops.rearrange")
    assert not any(
        p.kind == "missing_call" and "torch.arange" in p.message
        for p in rules["rearrange_2"].problems
    )


def test_total_price_indexing_with_gather_is_a_forbidden_call(rules):
    problem_of(rules["total_price_indexing"], "forbidden_call", "called gather", "forbids gather")
    problem_of(rules["total_price_indexing"], "missing_call", "integer-array indexing")


def test_gather_2d_with_two_asserts_misses_the_third(rules):
    problem_of(rules["gather_2d"], "missing_call", "at least 3 asserts", "it has 2")


def test_function_with_real_code_but_no_return_is_wrong_type(rules):
    problem_of(rules["collect_rows"], "wrong_type", "got None", "return", "collect_rows(matrix=")


def test_function_returning_a_list_is_wrong_type(rules):
    problem_of(rules["collect_columns"], "wrong_type", "list", "collect_columns(matrix=")


def test_relu_clone_setitem_assigning_into_x_is_reported_mutates_input(rules):
    problem_of(
        rules["relu_clone_setitem"],
        "mutates_input",
        "relu_clone_setitem(x=",
        "changed its input x in place",
    )


def test_relu_where_with_detach_is_reported_no_gradient(rules):
    problem_of(rules["relu_where"], "no_gradient", "relu_where(x=", "detach")


def test_relu_multiply_bool_with_a_float_mask_passes(rules):
    # Decision: `x * (x > 0).float()` builds the boolean mask and multiplies by it, converted
    # first; a reviewer accepts it, so the checker does too.
    assert rules["relu_multiply_bool"].status == "passed", rules["relu_multiply_bool"].problems


# --- Using tensorlings' own solutions ---------------------------------------------------------

CHEATING = """
from tensorlings import solutions


def batched_logsumexp(matrix):
    top = matrix.amax(dim=1, keepdim=True)
    return (top + (matrix - top).exp().sum(dim=1, keepdim=True).log()).squeeze(1)


def batched_softmax(matrix):
    from tensorlings.solutions import batched_softmax

    return batched_softmax(matrix)


def batched_logsoftmax(matrix):
    return solutions.batched_logsoftmax(matrix)
"""


@pytest.fixture(scope="module")
def cheating(check_source):
    return check_source("cheating", CHEATING)


def test_importing_the_reference_inside_a_function_is_a_forbidden_import(cheating):
    problem_of(
        cheating["batched_softmax"], "forbidden_import", "tensorlings.solutions", "not yours"
    )


def test_using_a_top_level_import_of_the_reference_is_a_forbidden_import(cheating):
    problem_of(
        cheating["batched_logsoftmax"], "forbidden_import", "tensorlings.solutions", "not yours"
    )


# --- Sampling ---------------------------------------------------------------------------------

SAMPLING_HEALTHY = """

def collect_rows(matrix, row_indexes):
    return matrix[row_indexes]
"""

SAMPLING_LOOP = """
def sample_distribution(probs, n):
    cumulative = t.cumsum(probs, dim=0)
    draws = t.rand(n)
    out = t.zeros(n, dtype=t.long)
    for edge in cumulative[:-1]:
        out += draws >= edge
    return out
"""

SAMPLING_MULTINOMIAL = """
def sample_distribution(probs, n):
    return t.multinomial(probs, n, replacement=True)
"""

SAMPLING_NUMPY = """
def sample_distribution(probs, n):
    p = probs.double().numpy()
    return t.from_numpy(np.random.choice(len(p), size=n, p=p / p.sum()))
"""

SAMPLING_NAIVE = """
def sample_distribution(probs, n):
    return (t.rand(n, 1) > t.cumsum(probs, dim=0)).sum(dim=1)
"""

SAMPLING_MUTATES = """
def sample_distribution(probs, n):
    probs /= probs.sum()
    cumulative = t.cumsum(probs, dim=0)
    chosen = t.searchsorted(cumulative, t.rand(n), right=True)
    return chosen.clamp(max=len(probs) - 1)
"""


@pytest.fixture(scope="module")
def sampling(check_source):
    """Results of each wrong sample_distribution, each in its own workbook."""
    sources = {
        "loop": SAMPLING_LOOP,
        "multinomial": SAMPLING_MULTINOMIAL,
        "numpy": SAMPLING_NUMPY,
        "naive": SAMPLING_NAIVE,
        "mutates": SAMPLING_MUTATES,
    }
    return {
        name: check_source(f"sampling_{name}", code + SAMPLING_HEALTHY)
        for name, code in sources.items()
    }


def test_sampling_with_a_python_loop_is_reported_uses_loop(sampling):
    problem = problem_of(
        sampling["loop"]["sample_distribution"], "uses_loop", "for loop", "sample_distribution"
    )
    assert problem.line is not None


def test_sampling_with_multinomial_is_a_forbidden_call(sampling):
    problem_of(
        sampling["multinomial"]["sample_distribution"],
        "forbidden_call",
        "called multinomial",
        "torch.multinomial",
    )


def test_sampling_with_numpy_random_choice_is_a_forbidden_call(sampling):
    problem_of(
        sampling["numpy"]["sample_distribution"],
        "forbidden_call",
        "numpy.random",
        "sample_distribution",
    )


def test_naive_cumsum_comparison_passes_with_a_note_when_probs_sum_below_one(sampling):
    # The sheet calls probs normalized: a sum of 0.9998 lies beyond it, so it is a note.
    result = sampling["naive"]["sample_distribution"]
    assert_passed(result)
    (note,) = [p for p in result.problems if p.kind == "edge_case"]
    assert not note.fails
    assert note.details["family"] == "unnormalised"
    for words in ("returned index 3", "only 3 events", "0.9998", "divide the running total"):
        assert words in note.message


def test_sampling_that_normalises_probs_in_place_is_reported_mutates_input(sampling):
    problem_of(sampling["mutates"]["sample_distribution"], "mutates_input", "probs")


# --- Limits: time, memory, a dying process ----------------------------------------------------

LIMITS = """
def rearrange_1():
    return rearrange(t.arange(3, 9), "(r c) -> r c", c=2)


def identity_matrix(n):
    scratch = t.zeros(10**11)
    return scratch[: n * n].view(n, n)


def integer_array_indexing(matrix, coords):
    return matrix[tuple(coords.T)]


def collect_rows(matrix, row_indexes):
    while True:
        pass


def collect_columns(matrix, column_indexes):
    return matrix[:, column_indexes]


def relu_where(x):
    return t.where(x > 0, x, 0.0)


def relu_abs(x):
    import os

    out = (x + x.abs()) / 2
    os._exit(3)
    return out


def relu_multiply_bool(x):
    return x * (x > 0)
"""


@pytest.fixture(scope="module")
def limits(check_source):
    return check_source("limits", LIMITS, limits=Limits(exercise_seconds=1.0))


def test_endless_loop_is_reported_timeout(limits):
    problem = problem_of(
        limits["collect_rows"], "timeout", "did not finish in time", "collect_rows(matrix="
    )
    assert "while True" in problem.message


def test_huge_allocation_is_reported_memory_limit(limits):
    problem_of(
        limits["identity_matrix"],
        "memory_limit",
        "ran out of memory",
        "identity_matrix(n=",
        "t.zeros(10**11)",
    )


def test_os_exit_inside_a_function_is_reported_crashed(limits):
    problem_of(limits["relu_abs"], "crashed", "exited with status 3", "relu_abs(x=")


def test_crash_reports_no_rule_it_could_not_check(limits):
    assert failing_kinds(limits["relu_abs"]) == ["crashed"]


# --- Every kind, and the healthy neighbours ---------------------------------------------------

HEALTHY = {
    "unstable": ("temperatures_differences", "relu_maximum"),
    "shape_and_dtype": ("batched_logsoftmax", "batched_cross_entropy_loss", "as_strided_4"),
    "values": ("temperatures_differences", "batched_dot_product_nd"),
    "rules": (
        "rearrange_3",
        "total_price_gather",
        "integer_array_indexing",
        "relu_maximum",
    ),
    "cheating": ("batched_logsumexp",),
    "limits": (
        "rearrange_1",
        "integer_array_indexing",
        "collect_columns",
        "relu_where",
        "relu_multiply_bool",
    ),
}


@pytest.mark.parametrize(
    ("workbook", "exercise_id"),
    [(workbook, exercise_id) for workbook, ids in HEALTHY.items() for exercise_id in ids],
)
def test_healthy_exercises_next_to_mistakes_still_pass(request, workbook, exercise_id):
    assert_passed(request.getfixturevalue(workbook)[exercise_id])


@pytest.mark.parametrize("name", ["loop", "multinomial", "numpy", "naive", "mutates"])
def test_healthy_exercise_next_to_a_wrong_sampler_still_passes(sampling, name):
    assert_passed(sampling[name]["collect_rows"])


def test_untouched_exercises_next_to_mistakes_are_not_started(rules):
    assert rules["batched_softmax"].status == "not_started"
    assert rules["sample_distribution"].status == "not_started"


def test_every_learner_problem_kind_is_shown_by_some_mistake(
    unstable, shape_and_dtype, values, rules, cheating, sampling, limits
):
    results = [unstable, shape_and_dtype, values, rules, cheating, limits, *sampling.values()]
    seen = {
        problem.kind
        for workbook in results
        for result in workbook.values()
        for problem in result.problems
        if problem.fails
    }
    assert set(LEARNER_KINDS) <= set(PROBLEM_KINDS)
    assert sorted(set(LEARNER_KINDS) - seen) == []


def test_device_names_compare_by_kind_and_index():
    from tensorlings.checker.judge import same_device

    assert same_device("cuda:0", "cuda")
    assert same_device("cpu", "cpu")
    assert not same_device("cpu", "cuda")
    assert not same_device("cuda:1", "cuda:0")
