"""The example evaluator runs no sheet code: literals, arithmetic and an allowed list of
deterministic torch calls only."""

from __future__ import annotations

import ast
import math

import pytest
import torch

from tensorlings.importing.safe_eval import Unsafe, evaluate

_TORCH = frozenset({"t", "torch"})


def _value(source: str, env: dict[str, object] | None = None) -> object:
    return evaluate(ast.parse(source, mode="eval").body, env or {}, _TORCH)


def test_tensor_literals_views_dtypes_and_math_are_evaluated() -> None:
    value = _value("t.arange(2 * 3 * 4).view((2, 3, 4)).float()")
    assert (
        isinstance(value, torch.Tensor)
        and value.shape == (2, 3, 4)
        and value.dtype == torch.float32
    )
    assert _value("t.tensor([1, 2], dtype=t.float64)").dtype == torch.float64  # type: ignore[union-attr]
    assert _value("-1000 + math.log(4)") == pytest.approx(-1000 + math.log(4))
    assert _value('float("-inf")') == -math.inf
    assert torch.equal(_value("x + 1", {"x": torch.tensor([1])}), torch.tensor([2]))  # type: ignore[arg-type]


def test_requires_grad_is_dropped_from_an_example_value() -> None:
    value = _value("t.arange(-1, 3, dtype=t.float32, requires_grad=True)")
    assert isinstance(value, torch.Tensor) and not value.requires_grad


@pytest.mark.parametrize(
    "source",
    [
        "t.randn(3)",  # random: not an example
        '__import__("os")',
        "open('/etc/passwd')",
        "x.__class__",
        "(lambda: 1)()",
        "t.arange(10 ** 9)",
        "t.zeros(10000, 10000)",
        "[1] * 10 ** 8",
        "2 ** 10 ** 6",
        "unknown_name",
        "t.tensor([1]).numpy()",
    ],
)
def test_anything_outside_the_allowed_list_is_refused(source: str) -> None:
    with pytest.raises(Unsafe):
        _value(source, {"x": 1})
