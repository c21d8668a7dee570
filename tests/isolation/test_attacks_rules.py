"""Rules that mean what they say: other built-ins that hand back the forbidden result are
forbidden too, found both at run time and in the source."""

from __future__ import annotations

import pytest
from attack_helpers import assert_failed_with, assert_healthy_passed

pytestmark = pytest.mark.slow

CASES = {
    "relu_prelu": ("relu_abs", "x", "return F.prelu(x, t.zeros(1, dtype=x.dtype))"),
    "relu_rrelu": ("relu_abs", "x", "return F.rrelu(x, 0.0, 0.0)"),
    "relu_hardtanh": ("relu_abs", "x", "return F.hardtanh(x, 0.0, float('inf'))"),
    "relu_threshold": ("relu_abs", "x", "return F.threshold(x, 0.0, 0.0)"),
    "relu_clamp_min": ("relu_abs", "x", "return x.clamp_min(0)"),
    "relu_fmax": ("relu_abs", "x", "return t.fmax(x, t.zeros((), dtype=x.dtype))"),
    "lse_logcumsumexp": ("batched_logsumexp", "matrix", "return t.logcumsumexp(matrix, 1)[:, -1]"),
    "lse_logaddexp": (
        "batched_logsumexp",
        "matrix",
        "import functools\n    return functools.reduce(t.logaddexp, matrix.unbind(1), "
        "t.full(matrix.shape[:1], float('-inf'), dtype=matrix.dtype))",
    ),
    "lse_log_softmax": (
        "batched_logsumexp",
        "matrix",
        "return (matrix - matrix.log_softmax(1))[:, 0] if matrix.shape[1] else matrix.logsumexp(1)",
    ),
    "lse_through_einops": (
        "batched_logsumexp",
        "matrix",
        "import einops\n    return einops.reduce(matrix, 'b n -> b', t.logsumexp)",
    ),
    "identity_matrix_power": (
        "identity_matrix",
        "n",
        "return t.linalg.matrix_power(t.ones(n, n), 0)",
    ),
    "identity_one_hot": ("identity_matrix", "n", "return F.one_hot(t.arange(n), n)"),
    "identity_matrix_exp": ("identity_matrix", "n", "return t.matrix_exp(t.zeros(n, n))"),
    "identity_diag_embed": ("identity_matrix", "n", "return t.diag_embed(t.ones(n))"),
    "identity_diagonal_view": (
        "identity_matrix",
        "n",
        "out = t.zeros(n, n)\n    out.diagonal().fill_(1)\n    return out",
    ),
    "indexing_embedding": (
        "total_price_indexing",
        "prices, items",
        "return F.embedding(items, prices[:, None]).sum()",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_builtin_that_returns_the_forbidden_result_is_forbidden(check_hazard, case):
    exercise_id, arguments, body = CASES[case]
    report = check_hazard(
        f"import torch.nn.functional as F\n\ndef {exercise_id}({arguments}):\n    {body}\n",
        ids=[exercise_id],
    )
    assert_failed_with(report, exercise_id, "forbidden_call")
    assert_healthy_passed(report, exercise_id)
