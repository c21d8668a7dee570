"""Rules judged on what the code reaches at run time: every API that computes the forbidden
result (numpy, torch.sparse, torch.distributions, nn modules, private aliases), whatever the
exercise's name is bound to, constants computed at load time, and required calls that must
change the result. Each attack fails with the rule's kind and the message names the call."""

from __future__ import annotations

import pytest
from attack_helpers import assert_failed_with, assert_healthy_passed, results

pytestmark = pytest.mark.slow

# (exercise, the file's cell, the call the message must name)
FORBIDDEN = {
    "numpy_logaddexp_reduce": (
        "batched_logsumexp",
        "import numpy as np\n\ndef batched_logsumexp(matrix):\n"
        "    return torch.from_numpy(np.logaddexp.reduce(matrix.numpy(), axis=1))\n",
        "logaddexp",
    ),
    "numpy_eye": (
        "identity_matrix",
        "import numpy as np\n\ndef identity_matrix(n):\n    return torch.from_numpy(np.eye(n))\n",
        "eye",
    ),
    "numpy_matrix_power": (
        "identity_matrix",
        "import numpy\n\ndef identity_matrix(n):\n"
        "    return torch.from_numpy(numpy.linalg.matrix_power(numpy.ones((n, n)), 0))\n",
        "matrix_power",
    ),
    "sparse_softmax": (
        "batched_logsumexp",
        "def batched_logsumexp(matrix):\n"
        "    p = torch.sparse.softmax(matrix.to_sparse(), 1).to_dense()\n"
        "    return (matrix - p.log())[:, 0] if matrix.shape[1] else matrix.sum(1).log()\n",
        "softmax",
    ),
    "sparse_log_softmax": (
        "batched_logsumexp",
        "def batched_logsumexp(matrix):\n"
        "    p = torch.sparse.log_softmax(matrix.to_sparse(), 1).to_dense()\n"
        "    return (matrix - p)[:, 0] if matrix.shape[1] else matrix.sum(1).log()\n",
        "log_softmax",
    ),
    "categorical_logits": (
        "batched_logsumexp",
        "def batched_logsumexp(matrix):\n"
        "    if not matrix.shape[1]:\n        return matrix.sum(1).log()\n"
        "    d = torch.distributions.Categorical(logits=matrix)\n"
        "    return matrix[:, 0] - d.logits[:, 0]\n",
        "logsumexp",
    ),
    "relaxed_one_hot_sample": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n"
        "    d = torch.distributions.RelaxedOneHotCategorical(torch.tensor(1.0), probs=probs)\n"
        "    torch.cumsum(probs, 0)\n"
        "    return d.rsample((n,)).argmax(-1) + 0 * torch.rand(n).long()\n",
        "RelaxedOneHotCategorical",
    ),
    "nn_log_softmax_module": (
        "batched_logsumexp",
        "def batched_logsumexp(matrix):\n"
        "    if not matrix.shape[1]:\n        return matrix.sum(1).log()\n"
        "    return (matrix - torch.nn.LogSoftmax(dim=1)(matrix))[:, 0]\n",
        "log_softmax",
    ),
    "nn_cross_entropy_module": (
        "batched_cross_entropy_loss",
        "def batched_cross_entropy_loss(logits, labels):\n"
        "    return torch.nn.CrossEntropyLoss(reduction='none')(logits, labels)\n",
        "cross_entropy",
    ),
    "partial_binding": (
        "batched_logsumexp",
        "import functools\n\nbatched_logsumexp = functools.partial(torch.logsumexp, dim=1)\n",
        "logsumexp",
    ),
    "alias_binding": ("relu_abs", "relu_abs = torch.relu\n", "relu"),
    "partial_of_own_function": (
        "relu_abs",
        "import functools\n\ndef _mine(x, low):\n    return x.clamp(min=low)\n\n"
        "relu_abs = functools.partial(_mine, low=0.0)\n",
        "clamp",
    ),
    "callable_instance": (
        "relu_abs",
        "class _Relu:\n    def __call__(self, x):\n        return torch.nn.functional.relu(x)\n\n"
        "relu_abs = _Relu()\n",
        "relu",
    ),
    "lambda_binding": ("relu_abs", "relu_abs = lambda x: x.clamp_min(0)\n", "clamp_min"),
    "map_over_rows": (
        "relu_abs",
        "def relu_abs(x):\n"
        "    rows = list(map(torch.relu, x.reshape(-1, 1).unbind(0)))\n"
        "    return torch.stack(rows).reshape(x.shape) if rows else x.clone()\n",
        "relu",
    ),
    "private_alias": (
        "batched_logsumexp",
        "def batched_logsumexp(matrix):\n"
        "    if not matrix.shape[1]:\n        return matrix.sum(1).log()\n"
        "    return (matrix - torch._log_softmax(matrix, 1, False))[:, 0]\n",
        "log_softmax",
    ),
    "top_level_constant": (
        "identity_matrix",
        "_TABLE = torch.eye(64, dtype=torch.int64)\n\n"
        "def identity_matrix(n):\n    return _TABLE[:n, :n].clone()\n",
        "eye",
    ),
    "reduce_logaddexp_over_rows": (
        "batched_logsumexp",
        "import functools\n\ndef batched_logsumexp(matrix):\n"
        "    start = torch.full(matrix.shape[:1], float('-inf'), dtype=matrix.dtype)\n"
        "    return functools.reduce(torch.logaddexp, matrix.unbind(1), start)\n",
        "logaddexp",
    ),
}


def _fails_naming_the_call(check_hazard, attack: tuple[str, str, str], kind: str) -> None:
    exercise_id, cell, call = attack
    report = check_hazard(cell, ids=[exercise_id])
    result = assert_failed_with(report, exercise_id, kind)
    messages = [p.message for p in result.problems if p.kind == kind]
    assert any(call in message for message in messages), messages
    assert_healthy_passed(report, exercise_id)


@pytest.mark.parametrize("case", FORBIDDEN, ids=list(FORBIDDEN))
def test_a_forbidden_result_reached_any_way_is_a_forbidden_call(check_hazard, case):
    _fails_naming_the_call(check_hazard, FORBIDDEN[case], "forbidden_call")


# A required call whose result does not change what is returned.
MISSING = {
    "multiplied_by_zero": (
        "relu_abs",
        "def relu_abs(x):\n    return x.abs() * 0 + torch.where(x > 0, x, 0.0)\n",
        "abs",
    ),
    "added_then_subtracted": (
        "relu_abs",
        "def relu_abs(x):\n    a = x.abs()\n    return torch.where(x > 0, x, 0.0) + a - a\n",
        "abs",
    ),
    "scaled_by_a_zero_tensor": (
        "relu_maximum",
        "def relu_maximum(x):\n"
        "    m = torch.maximum(x, torch.zeros_like(x))\n"
        "    return m * torch.zeros_like(m) + (x + x.abs()) / 2\n",
        "maximum",
    ),
    "einsum_on_the_side": (
        "batched_dot_product_nd",
        "def batched_dot_product_nd(a, b):\n"
        "    unused = torch.einsum('b...,b...->b', a, b)\n"
        "    return (a * b).reshape(a.shape[0], -1).sum(-1) + 0 * unused\n",
        "einsum",
    ),
}


@pytest.mark.parametrize("case", MISSING, ids=list(MISSING))
def test_a_required_call_that_does_not_change_the_result_is_missing(check_hazard, case):
    _fails_naming_the_call(check_hazard, MISSING[case], "missing_call")


CONTROLS = {
    "required_call_through_a_helper": (
        "relu_abs",
        "def _half(v):\n    return v / 2\n\ndef relu_abs(x):\n    return _half(x + x.abs())\n",
    ),
    "numpy_for_a_constant": (
        "relu_abs",
        "import numpy as np\n\ndef relu_abs(x):\n"
        "    half = float(np.float64(0.5))\n    return (x + torch.abs(x)) * half\n",
    ),
    "a_torch_decorator_on_an_only_these_calls_exercise": (
        "rearrange_1",
        "@torch.no_grad()\ndef rearrange_1():\n"
        "    return rearrange(torch.arange(3, 9), '(rows cols) -> rows cols', cols=2)\n",
    ),
    "required_calls_that_do_the_work": (
        "relu_clone_setitem",
        "def relu_clone_setitem(x):\n    y = x.clone()\n    y[y < 0] = 0\n    return y\n",
    ),
    "top_level_constant_without_the_forbidden_call": (
        "identity_matrix",
        "_RANGE = torch.arange(64)\n\n"
        "def identity_matrix(n):\n    r = _RANGE[:n]\n    return (r[:, None] == r).long()\n",
    ),
    "forbidden_call_at_top_level_that_never_reaches_the_result": (
        "identity_matrix",
        "assert torch.eye(2).sum() == 2\n_UNUSED = torch.eye(3)\n\n"
        "def identity_matrix(n):\n    r = torch.arange(n)\n    return (r[:, None] == r).long()\n",
    ),
}


@pytest.mark.parametrize("case", CONTROLS, ids=list(CONTROLS))
def test_code_that_only_looks_like_an_attack_passes(check_hazard, case):
    exercise_id, cell = CONTROLS[case]
    report = check_hazard(cell, ids=[exercise_id])
    result = results(report)[exercise_id]
    failing = [(p.kind, p.message) for p in result.problems if p.fails]
    assert result.status == "passed", failing
    assert_healthy_passed(report, exercise_id)
