import math

import pytest
import torch
import torch.nn.functional as F
from exercise_helpers import DEFAULT_OUTPUT, assert_matches
from hypothesis import given
from hypothesis import strategies as st

from tensorlings.exercise import Draw
from tensorlings.exercises import s06_numerics as section
from tensorlings.exercises.s06_numerics import (
    batched_cross_entropy_loss,
    batched_logsoftmax,
    batched_logsumexp,
    batched_softmax,
)

EXERCISES = section.EXERCISES
BY_ID = {ex.id: ex for ex in EXERCISES}
INF = float("inf")


@st.composite
def matrices(draw, min_batch: int = 0) -> torch.Tensor:
    """Random (batch, n) float matrices: ordinary or huge entries, some -inf, some rows all -inf."""
    batch = draw(st.integers(min_batch, 8))
    n = draw(st.integers(1, 20))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    scale = draw(st.sampled_from([1.0, 1e4]))
    rng = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    matrix = torch.randn(batch, n, generator=rng, dtype=torch.float64) * scale
    neg_inf = draw(st.sampled_from(["none", "some entries", "some rows"]))
    if neg_inf == "some entries":
        matrix[torch.rand(batch, n, generator=rng) < 0.3] = -INF
    elif neg_inf == "some rows":
        matrix[torch.rand(batch, generator=rng) < 0.3] = -INF
    return matrix.to(dtype)


def finite_matrices() -> st.SearchStrategy[torch.Tensor]:
    return st.builds(
        lambda batch, n, scale, seed: (
            torch.randn(
                batch, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
            )
            * scale
        ),
        st.integers(0, 6),
        st.integers(1, 12),
        st.sampled_from([1.0, 10.0, 1e4]),
        st.integers(0, 2**32 - 1),
    )


def weighted_grad(fn, x: torch.Tensor, *rest: torch.Tensor) -> torch.Tensor:
    """Gradient of a random weighting of fn's output, so every output entry matters."""
    x = x.clone().requires_grad_(True)
    out = fn(x, *rest)
    weights = torch.linspace(-1.0, 2.0, out.numel(), dtype=out.dtype).reshape(out.shape)
    (grad,) = torch.autograd.grad((out * weights).sum(), x)
    return grad


# -- the sheet's examples and asserts ---------------------------------------------------------


def test_every_exercise_declares_the_default_output_policy():
    # assert_matches compares with the default policy's tolerances.
    assert all(ex.output == DEFAULT_OUTPUT for ex in EXERCISES)


def test_logsumexp_matches_torch_on_the_sheets_random_matrix():
    matrix = torch.randn(10, 20, generator=torch.Generator().manual_seed(0))
    assert_matches(batched_logsumexp(matrix), torch.logsumexp(matrix, dim=-1))


def test_logsumexp_of_plus_and_minus_thousand_rows_is_shifted_log_four():
    matrix = torch.tensor([[-1000.0] * 4, [1000.0] * 4])
    expected = torch.tensor([-1000 + math.log(4), 1000 + math.log(4)])
    assert_matches(batched_logsumexp(matrix), expected)


def test_softmax_of_log_arange_is_arange_over_its_sum_and_shift_invariant():
    matrix = torch.arange(1, 6).view(1, 5).float().log()
    actual = batched_softmax(matrix)
    assert_matches(actual, torch.arange(1, 6).view(1, 5) / 15.0)
    for shift in [0.12, 3.4, -5, 6.7]:
        assert_matches(batched_softmax(matrix + shift), actual)


def test_softmax_of_uniform_matrix_keeps_order_and_rows_sum_to_one():
    matrix = torch.rand(10, 20, generator=torch.Generator().manual_seed(0))
    actual = batched_softmax(matrix)
    assert actual.min() >= 0.0
    assert actual.max() <= 1.0
    assert torch.equal(actual.argsort(), matrix.argsort())
    assert_matches(actual.sum(dim=-1), torch.ones(10))


def test_logsoftmax_of_large_arange_row_matches_the_sheet():
    matrix = torch.arange(1001, 1006).view(1, 5).float()
    expected = torch.tensor([[-4.4519, -3.4519, -2.4519, -1.4519, -0.4519]])
    assert_matches(batched_logsoftmax(matrix), expected)


def test_cross_entropy_with_minus_inf_logits_gives_zero_log3_and_inf():
    logits = torch.tensor([[-INF, -INF, 0.0], [1 / 3, 1 / 3, 1 / 3], [-INF, 0.0, 0.0]])
    labels = torch.tensor([2, 0, 0])
    expected = torch.tensor([0.0, math.log(3), INF])
    assert_matches(batched_cross_entropy_loss(logits, labels), expected)


# -- edge cases -------------------------------------------------------------------------------


def test_logsumexp_of_all_minus_inf_row_is_minus_inf_and_of_plus_inf_row_is_plus_inf():
    matrix = torch.tensor([[-INF, -INF, -INF], [INF, 0.0, 1.0], [INF, -INF, 0.0], [-INF, 0.0, 0.0]])
    actual = batched_logsumexp(matrix)
    assert actual[:3].tolist() == [-INF, INF, INF]
    assert actual[3].item() == pytest.approx(math.log(2))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_empty_batch_gives_empty_results(dtype):
    matrix = torch.zeros(0, 5, dtype=dtype)
    labels = torch.zeros(0, dtype=torch.int64)
    assert batched_logsumexp(matrix).shape == (0,)
    assert batched_softmax(matrix).shape == (0, 5)
    assert batched_logsoftmax(matrix).shape == (0, 5)
    loss = batched_cross_entropy_loss(matrix, labels)
    assert loss.shape == (0,) and loss.dtype == dtype


# -- properties against torch's own functions -------------------------------------------------


@given(matrices())
def test_logsumexp_matches_torch_logsumexp(matrix):
    assert_matches(batched_logsumexp(matrix), torch.logsumexp(matrix, dim=-1))


@given(matrices())
def test_softmax_matches_torch_softmax(matrix):
    assert_matches(batched_softmax(matrix), torch.softmax(matrix, dim=-1))


@given(matrices())
def test_logsoftmax_matches_torch_log_softmax(matrix):
    assert_matches(batched_logsoftmax(matrix), torch.log_softmax(matrix, dim=-1))


@given(matrices(), st.integers(0, 2**32 - 1))
def test_cross_entropy_matches_torch_cross_entropy(logits, seed):
    rng = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, logits.shape[1], (logits.shape[0],), generator=rng)
    expected = F.cross_entropy(logits, labels, reduction="none")
    assert_matches(batched_cross_entropy_loss(logits, labels), expected)


@given(finite_matrices())
def test_gradients_match_torch(matrix):
    pairs = [
        (batched_logsumexp, lambda x: torch.logsumexp(x, dim=-1)),
        (batched_softmax, lambda x: torch.softmax(x, dim=-1)),
        (batched_logsoftmax, lambda x: torch.log_softmax(x, dim=-1)),
    ]
    for ours, theirs in pairs:
        torch.testing.assert_close(weighted_grad(ours, matrix), weighted_grad(theirs, matrix))


@given(finite_matrices(), st.integers(0, 2**32 - 1))
def test_cross_entropy_gradient_matches_torch(logits, seed):
    rng = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, logits.shape[1], (logits.shape[0],), generator=rng)
    ours = weighted_grad(batched_cross_entropy_loss, logits, labels)
    theirs = weighted_grad(lambda x, y: F.cross_entropy(x, y, reduction="none"), logits, labels)
    torch.testing.assert_close(ours, theirs)


# -- the exercise objects ---------------------------------------------------------------------


def _draws(ex, scale: float):
    cases = ex.cases
    corners = [{name: lo for name, (lo, hi) in cases.sizes.items()}]
    corners.append({name: hi for name, (lo, hi) in cases.sizes.items()})
    corners.append({name: (lo + hi) // 2 for name, (lo, hi) in cases.sizes.items()})
    for dtype in cases.dtypes:
        for seed, sizes in enumerate(corners):
            yield Draw(torch.Generator().manual_seed(seed), sizes, dtype, scale)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@pytest.mark.parametrize("scale", [1.0, 1e4], ids=["ordinary", "stress"])
def test_random_cases_have_declared_sizes_and_reference_stays_finite(ex, scale):
    assert ex.cases.stress_scale == 1e4
    assert ex.cases.grad_args == (0,)
    for d in _draws(ex, scale):
        args = ex.cases.make(d)
        batch, n = d.sizes["batch"], d.sizes["n"]
        assert args[0].shape == (batch, n) and args[0].dtype == d.dtype
        if ex.id == "batched_cross_entropy_loss":
            labels = args[1]
            assert labels.shape == (batch,) and labels.dtype == torch.int64
            assert labels.numel() == 0 or (labels.min() >= 0 and labels.max() < n)
        out = ex.solution(*args)
        expected_shape = (batch,) if ex.shapes["returns"] == "(batch,)" else (batch, n)
        assert out.shape == expected_shape and out.dtype == d.dtype
        assert torch.isfinite(out).all()


def test_rules_forbid_the_builtins_each_exercise_replaces():
    forbidden = {ex.id: {name for c in ex.rules.forbidden for name in c.names} for ex in EXERCISES}
    # Each rule also covers the built-ins that return the same number.
    # (rule_apis.py lists them with the reason for each.)
    lse = {"logsumexp", "logcumsumexp", "logaddexp", "logaddexp2", "softplus", "log_sigmoid"}
    lse |= {"binary_cross_entropy_with_logits", "soft_margin_loss", "multilabel_soft_margin_loss"}
    lse |= {"mish", "cross_entropy", "linear_cross_entropy"}
    softmax = {"softmax", "log_softmax", "softmin", "gumbel_softmax"}
    # An attention product and torch.distributions' SoftmaxTransform compute a softmax inside.
    softmax |= {"scaled_dot_product_attention", "SoftmaxTransform"}
    assert forbidden == {
        "batched_logsumexp": lse | softmax,
        "batched_softmax": softmax,
        "batched_logsoftmax": lse | softmax,
        "batched_cross_entropy_loss": {"cross_entropy", "linear_cross_entropy", "nll_loss"}
        | softmax,
    }
    assert all(ex.rules.required == () for ex in EXERCISES)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_prompt_and_question_hints_are_present(ex):
    assert ex.prompt and ex.title and ex.section == section.SECTION
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.rstrip().endswith("?") for hint in ex.hints)
