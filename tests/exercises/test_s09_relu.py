import pytest
import torch
from exercise_helpers import assert_identical
from hypothesis import given
from hypothesis import strategies as st

from tensorlings.exercise import Draw
from tensorlings.exercises import s09_relu as section
from tensorlings.exercises._shared import BUILTIN_RELU

EXERCISES = section.EXERCISES
REQUIRED_NAMES = {
    "relu_clone_setitem": [("clone",), ("setitem",)],
    "relu_where": [("where",)],
    "relu_maximum": [("maximum", "max")],
    "relu_abs": [("abs", "absolute")],
    "relu_multiply_bool": [
        # Operators are recorded under their symbols, apart from the functions behind them.
        (
            ">",
            ">=",
            "<",
            "<=",
            "gt",
            "ge",
            "lt",
            "le",
            "greater",
            "greater_equal",
            "less",
            "less_equal",
        ),
        ("*", "mul", "multiply", "bool_mask_multiply"),
    ],
}


@st.composite
def inputs(draw) -> torch.Tensor:
    """Float tensors of up to three axes, possibly empty, ordinary or huge, never exactly 0."""
    shape = tuple(draw(st.lists(st.integers(0, 6), min_size=0, max_size=3)))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    scale = draw(st.sampled_from([1.0, 1e4]))
    rng = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    x = torch.randn(shape, generator=rng, dtype=torch.float64) * scale
    # ReLU has no derivative at 0; keep the gradient checks away from it.
    return torch.where(x == 0, 1.0, x).to(dtype)


def test_section_has_the_five_relus_in_order():
    assert [ex.id for ex in EXERCISES] == list(REQUIRED_NAMES)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_every_example_matches_its_reference_exactly(ex):
    # Stricter than the catalogue-wide check, which allows the declared rtol and atol.
    for example in ex.examples:
        assert_identical(ex.solution(*example.args), example.expected)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_sheets_check_on_a_leaf_requiring_grad_passes(ex):
    x = torch.arange(-1, 3, dtype=torch.float32, requires_grad=True)
    actual = ex.solution(x)
    torch.testing.assert_close(actual, torch.tensor([0.0, 0.0, 1.0, 2.0]), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@given(x=inputs())
def test_reference_matches_torch_relu_and_leaves_input_alone(ex, x):
    before = x.clone()
    actual = ex.solution(x)
    assert torch.equal(x, before)
    assert actual.shape == x.shape and actual.dtype == x.dtype
    assert torch.equal(actual, torch.relu(x))


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@given(x=inputs())
def test_gradient_matches_torch_relu_away_from_zero(ex, x):
    ours = x.clone().requires_grad_(True)
    theirs = x.clone().requires_grad_(True)
    weights = torch.linspace(-1.0, 2.0, x.numel(), dtype=x.dtype).reshape(x.shape)
    (ours_grad,) = torch.autograd.grad((ex.solution(ours) * weights).sum(), ours)
    (theirs_grad,) = torch.autograd.grad((torch.relu(theirs) * weights).sum(), theirs)
    assert torch.equal(ours_grad, theirs_grad)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_random_cases_have_declared_sizes_and_reference_runs(ex):
    cases = ex.cases
    assert cases.grad_args == (0,)
    for dtype in cases.dtypes:
        for seed, sizes in enumerate(
            [{"n": 0, "rows": 1}, {"n": 20, "rows": 3}, {"n": 7, "rows": 2}]
        ):
            (x,) = cases.make(Draw(torch.Generator().manual_seed(seed), sizes, dtype))
            assert x.shape == (sizes["rows"], sizes["n"]) and x.dtype == dtype
            out = ex.solution(x)
            assert out.shape == x.shape and out.dtype == dtype


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_rules_require_the_tool_and_forbid_builtin_relus(ex):
    assert ex.rules.forbidden == BUILTIN_RELU
    assert [call.names for call in ex.rules.required] == REQUIRED_NAMES[ex.id]
    assert 2 <= len(ex.hints) <= 3
    assert all(hint.rstrip().endswith("?") for hint in ex.hints)
