"""Compare a learner's output with the reference's, in the order a learner should hear it:
type, shape, dtype, device, then values (first differing index, largest difference, a grid)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from tensorlings.exercise import DtypePolicy, OutputPolicy
from tensorlings.picture import picture_data
from tensorlings.vocab import ProblemKind
from tensorlings.worker.encoding import OtherValue

GRID_LIMIT = 40  # elements: small enough to show side by side
SHORT_TABLE = 10  # rows: a longer table shows only the rows that differ


@dataclass(frozen=True)
class Mismatch:
    kind: ProblemKind
    message: str
    details: dict[str, Any]


def describe_value(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return with_article(f"{dtype_word(value.dtype)} tensor of shape {tuple(value.shape)}")
    if isinstance(value, OtherValue):
        if " of more than " in value.type_name:  # too big to send: a description, no type
            return with_article(value.type_name)
        return with_article(f"{value.type_name} object")
    if value is None:
        return "None"
    return with_article(f"{type(value).__name__} ({short(value)})")


def with_article(words: str) -> str:
    """'an int64 tensor', 'a float32 tensor', 'a uint8 tensor' (said "you-int")."""
    return ("an " if words[:1].lower() in ("a", "e", "i", "o") else "a ") + words


def dtype_word(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dtype_ok(actual: torch.dtype, expected: torch.dtype, policy: DtypePolicy) -> bool:
    if policy is DtypePolicy.SAME:
        return actual == expected
    if policy is DtypePolicy.INTEGER:
        return not actual.is_floating_point and not actual.is_complex and actual != torch.bool
    if policy is DtypePolicy.FLOATING:
        return actual.is_floating_point
    return not actual.is_complex


def as_tensor_output(actual: Any, expected: torch.Tensor, policy: OutputPolicy) -> Any:
    """Accept a Python number for a single value when the exercise allows it."""
    is_number = isinstance(actual, int | float) and not isinstance(actual, bool)
    if policy.python_number_ok and is_number and expected.dim() == 0:
        dtype = expected.dtype if expected.dtype.is_floating_point else torch.float64
        return torch.tensor(float(actual), dtype=dtype)
    return actual


def compare(
    actual: Any, expected: torch.Tensor, policy: OutputPolicy, values: bool = True
) -> Mismatch | None:
    """The first way `actual` differs from `expected`, or None when it is right."""
    actual = as_tensor_output(actual, expected, policy)
    if not isinstance(actual, torch.Tensor):
        return _wrong_type(actual, expected, policy)
    if tuple(actual.shape) != tuple(expected.shape):
        return Mismatch(
            ProblemKind.WRONG_SHAPE,
            f"expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}",
            {"expected_shape": list(expected.shape), "actual_shape": list(actual.shape)},
        )
    if not _dtype_ok(actual.dtype, expected.dtype, policy.dtype):
        return Mismatch(
            ProblemKind.WRONG_DTYPE,
            f"expected dtype {dtype_word(expected.dtype)} ({policy.describe()}), "
            f"got {dtype_word(actual.dtype)}",
            {
                "expected_dtype": dtype_word(expected.dtype),
                "actual_dtype": dtype_word(actual.dtype),
            },
        )
    return compare_values(actual, expected, policy) if values else None


def _wrong_type(actual: Any, expected: torch.Tensor, policy: OutputPolicy) -> Mismatch:
    message = f"expected a tensor, got {describe_value(actual)}"
    if actual is None:
        message += ". Is a `return` missing?"
    elif policy.python_number_ok:
        message = f"expected a tensor or a Python number, got {describe_value(actual)}"
    elif isinstance(actual, bool):
        message += ". A comparison of whole tensors? Return the tensor it should build."
    elif isinstance(actual, int | float):
        message += ". Return the tensor itself rather than `.item()`."
    elif isinstance(actual, tuple):
        message += ". A trailing comma after the return value makes a tuple."
    elif isinstance(actual, list):
        message += ". Build the result with torch operations, not a Python list."
    return Mismatch(ProblemKind.WRONG_TYPE, message, {"actual_type": describe_value(actual)})


def _finite_mask(x: torch.Tensor) -> torch.Tensor:
    return torch.isfinite(x) if x.dtype.is_floating_point else torch.ones_like(x, dtype=torch.bool)


def compare_values(
    actual: torch.Tensor, expected: torch.Tensor, policy: OutputPolicy
) -> Mismatch | None:
    a = actual.detach().to(torch.float64)
    e = expected.detach().to(torch.float64)
    if a.numel() == 0:
        return None
    close = torch.isclose(a, e, rtol=policy.rtol, atol=policy.atol, equal_nan=True)
    if bool(close.all()):
        return None
    bad_finite = (~torch.isfinite(a)) & torch.isfinite(e)
    kind = ProblemKind.NOT_FINITE if bool(bad_finite.any()) else ProblemKind.WRONG_VALUES
    first = tuple(int(i) for i in (~close).nonzero()[0].tolist())
    diff = (a - e).abs()
    diff = torch.where(torch.isnan(diff), torch.full_like(diff, math.inf), diff)
    largest = float(diff.max())
    details: dict[str, Any] = {
        "first_index": list(first),
        "expected_at_first": _number(e[first] if first else e),
        "actual_at_first": _number(a[first] if first else a),
        "largest_difference": largest if math.isfinite(largest) else str(largest),
        "mismatched": int((~close).sum()),
        "total": int(close.numel()),
    }
    what = (
        "nan or inf where the reference is finite"
        if kind == ProblemKind.NOT_FINITE
        else "wrong values"
    )
    shown = _shown(details["expected_at_first"], details["actual_at_first"])
    expected_text, got = f"expected {shown[0]}", f"got {shown[1]}{shown[2]}"
    if a.numel() == 1:
        message = f"{what}: {expected_text}, {got}"
    else:
        message = (
            f"{what}: {details['mismatched']} of {details['total']} elements differ; first at "
            f"index {list(first)} {expected_text}, {got}; largest difference "
            f"{rounded(details['largest_difference'])}"
        )
    if actual.numel() <= GRID_LIMIT:
        details["grid"] = side_by_side(expected, actual)
    picture = picture_data(expected, actual, close)
    if picture is not None:
        details["picture"] = picture
    return Mismatch(kind, message, details)


def rounded(value: float | str) -> str:
    """A number as a person reads it: six significant digits, inf and nan as words."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _shown(expected: float | str, actual: float | str) -> tuple[str, str, str]:
    """The two numbers as a person reads them, with as many digits as it takes to see that they
    differ: two floats one rounding step apart must not read as the same number."""
    left, right = rounded(expected), rounded(actual)
    if left != right or not (isinstance(expected, float) and isinstance(actual, float)):
        return left, right, ""
    return (
        f"{expected:.17g}",
        f"{actual:.17g}",
        " (equal to six digits, yet a rounding step apart: more than this exercise allows, "
        "so the order of the arithmetic matters)",
    )


def _number(x: torch.Tensor) -> float | str:
    value = float(x)
    return value if math.isfinite(value) else str(value)


def side_by_side(expected: torch.Tensor, actual: torch.Tensor) -> str:
    if expected.dim() <= 1:
        return _column_pairs(expected.reshape(-1), actual.reshape(-1))
    left = _format(expected).splitlines()
    right = _format(actual).splitlines()
    width = max(len(line) for line in left + ["expected"])
    rows = [f"{'expected'.ljust(width)}   actual"]
    for i in range(max(len(left), len(right))):
        l_text = left[i] if i < len(left) else ""
        r_text = right[i] if i < len(right) else ""
        rows.append(f"{l_text.ljust(width)}   {r_text}")
    return "\n".join(rows)


def _column_pairs(expected: torch.Tensor, actual: torch.Tensor) -> str:
    """Index, expected, actual; a long table keeps only its differing rows."""
    rows = [f"{'index':>5}  {'expected':>12}  {'actual':>12}"]
    pairs = list(enumerate(zip(expected.tolist(), actual.tolist(), strict=True)))
    long = len(pairs) > SHORT_TABLE
    shown = [(i, e, a) for i, (e, a) in pairs if not (long and _same(e, a))]
    for i, e, a in shown:
        mark = "" if _same(e, a) else "  ✗"
        rows.append(f"{i:>5}  {e + 0.0:>12.5g}  {a + 0.0:>12.5g}{mark}")  # + 0.0: no "-0"
    if long and len(shown) < len(pairs):
        rows.append(f"(the other {len(pairs) - len(shown)} rows agree)")
    return "\n".join(rows)


def _same(e: float, a: float) -> bool:
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    return math.isclose(e, a, rel_tol=1e-5, abs_tol=1e-4)


def _format(x: torch.Tensor) -> str:
    with torch._tensor_str.printoptions(precision=4, sci_mode=False):
        text = repr(x.detach().cpu())
    return text.removeprefix("tensor(").split(", dtype=")[0].rstrip(")")
