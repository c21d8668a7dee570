"""A chi-square goodness-of-fit test, written out so the checker needs no SciPy."""

from __future__ import annotations

import math

import torch


def _upper_gamma_regularized(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a): a series below a + 1, a continued fraction above."""
    if x <= 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        denominator = a
        for _ in range(10_000):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)


def chi_square_p_value(
    counts: torch.Tensor, probs: torch.Tensor, min_expected: float = 5.0
) -> float:
    """P-value that `counts` were drawn from `probs` (bins with small expectations pooled)."""
    n = float(counts.sum())
    expected = probs.double() / probs.double().sum() * n
    order = torch.argsort(expected)
    counts_sorted = counts.double()[order]
    expected_sorted = expected[order]
    pooled_counts, pooled_expected = [], []
    running_count = running_expected = 0.0
    for count, expect in zip(counts_sorted.tolist(), expected_sorted.tolist(), strict=True):
        running_count += count
        running_expected += expect
        if running_expected >= min_expected:
            pooled_counts.append(running_count)
            pooled_expected.append(running_expected)
            running_count = running_expected = 0.0
    if running_expected > 0 and pooled_expected:
        pooled_counts[-1] += running_count
        pooled_expected[-1] += running_expected
    if len(pooled_expected) < 2:
        return 1.0
    statistic = sum((c - e) ** 2 / e for c, e in zip(pooled_counts, pooled_expected, strict=True))
    return _upper_gamma_regularized((len(pooled_expected) - 1) / 2, statistic / 2)
