"""Does a required call change the result? Decided by intervention, not by following marks.

Marks that follow every torch call say `x.abs() * 0 + answer` used abs. Instead the call is run
again with the results of the required call changed (every call of the learner's that counts as
it), and once more unchanged as a control: the required call did the work if and only if the
changed run returns something else. Deterministic (the seed is set again for every run) and
cheap: only exercises with required calls the code made, only while a rule is undecided, at
most `DECISIVE_RUNS` decisive runs per rule, `MAX_RERUNS` runs per exercise process, and only
for calls quick next to their limit; the reruns' time counts in no budget or timing.

What each run says is recorded as `changed:<name>` or `unchanged:<name>` (rules.call_problems
reads them); a run that cannot decide (the required call's results were empty, the function
gave another answer on the control run, a value that cannot be compared) says nothing, and the
marks decide as before.
"""

from __future__ import annotations

import math
from builtins import abs, all, bool, float, isinstance, len, type, zip  # noqa: UP029
from collections.abc import Callable
from typing import Any

import torch

CHANGED, UNCHANGED = "changed:", "unchanged:"
DECISIVE_RUNS = 3  # degenerate inputs (a one-event distribution) cannot show a change
# Cost bounds: a call is run again only if it took under this share of its time limit (a few
# reruns stay well inside the exercise's budget), and at most MAX_RERUNS times per process.
SHARE_OF_LIMIT = 0.05
MAX_RERUNS = 12
RAISED = object()  # the run raised: a changed input that makes the code fail changed its result
_Tensor = torch.Tensor
# Captured now, from torch and the C base class, before learner code can replace them
# (`torch.equal = lambda *a: True` at the top of a file must not make every change invisible).
_base = torch._C.TensorBase
_no_grad = torch.no_grad
_numel, _detach, _cpu, _copy = _base.numel, _base.detach, _base.cpu, _base.copy_
_shape = _base.shape.__get__  # type: ignore[attr-defined]
_dtype = _base.dtype.__get__  # type: ignore[attr-defined]
_is_sparse = _base.is_sparse.__get__  # type: ignore[attr-defined]
_add, _abs, _logical_not = torch.add, torch.abs, torch.logical_not
_equal, _allclose, _isfinite, _masked_select, _amax = (
    torch.equal,
    torch.allclose,
    torch.isfinite,
    torch.masked_select,
    torch.amax,
)
_bool, _float = torch.bool, float


def rerun_seconds(took: float) -> float:
    """A rerun's time limit, from what the call itself took: a control run that overruns it
    decides nothing, a changed run that overruns it was changed by the change."""
    return 10 * took + 0.2


# Runs the exercise's call again; `perturb` names the calls whose results are changed. Returns
# the result and how many non-empty results were changed.
Rerun = Callable[[tuple[str, ...]], tuple[Any, int]]


def perturbed(value: Any) -> tuple[Any, bool]:
    """A different value of the same shape and dtype: every entry moves (booleans flip)."""
    if not isinstance(value, _Tensor) or _numel(value) == 0:
        return value, False
    dtype = _dtype(value)
    with _no_grad():
        if dtype == _bool:
            return _logical_not(value), True
        if dtype.is_floating_point or dtype.is_complex:
            return _add(value, _add(_abs(value), 1)), True
        return _add(value, 1), True


def perturb_in_place(value: Any) -> bool:
    """For x.add_(...), y[mask] = 0 and friends: change the tensor the call wrote to."""
    changed, ok = perturbed(value)
    if ok:
        with _no_grad():
            _copy(value, changed)
    return ok


def decide(
    rerun: Rerun,
    required: tuple[tuple[str, ...], ...],
    original: Any,
    decisive: dict[str, int],
) -> dict[str, int]:
    """`changed:`/`unchanged:` events for the required calls still undecided."""
    open_rules = [names for names in required if decisive.get(names[0], 0) < DECISIVE_RUNS]
    if not open_rules:
        return {}
    control, _ = rerun(())
    if same(control, original) is not True:
        return {}  # not a function of its inputs (or not comparable): the marks decide
    events = {}
    for names in open_rules:
        changed_out, count = rerun(names)
        if count == 0:
            continue  # nothing to change here (an empty result, or the call was not made)
        verdict = same(changed_out, original)
        if verdict is None:
            continue
        decisive[names[0]] = decisive.get(names[0], 0) + 1
        events[(UNCHANGED if verdict else CHANGED) + names[0]] = 1
    return events


def same(first: Any, second: Any, depth: int = 0) -> bool | None:
    """Equal up to rounding; None when the two cannot be compared."""
    if first is RAISED or second is RAISED:
        return first is second
    if isinstance(first, _Tensor) and isinstance(second, _Tensor):
        return _same_tensors(first, second)
    if isinstance(first, bool | int | float) and isinstance(second, bool | int | float):
        return _close(float(first), float(second), abs(float(first)))
    if depth < 3 and isinstance(first, list | tuple) and isinstance(second, list | tuple):
        if len(first) != len(second):
            return False
        verdicts = [same(a, b, depth + 1) for a, b in zip(first, second, strict=True)]
        return None if None in verdicts else all(verdicts)
    if first is None and second is None:
        return True
    return None


def _same_tensors(first: torch.Tensor, second: torch.Tensor) -> bool | None:
    if type(first) is not _Tensor or type(second) is not _Tensor:
        return None
    if _shape(first) != _shape(second) or _dtype(first) != _dtype(second):
        return False
    if _is_sparse(first) or _is_sparse(second):
        return None
    dtype = _dtype(first)
    with _no_grad():
        a, b = _cpu(_detach(first)), _cpu(_detach(second))
        if not (dtype.is_floating_point or dtype.is_complex):
            return bool(_equal(a, b))
        finite = _abs(_masked_select(a, _isfinite(a)))
        scale = _float(_amax(finite)) if _numel(finite) else 0.0
        # `answer + r - r` with r changed rounds differently: that is not the call's doing.
        return bool(_allclose(a, b, rtol=0.0, atol=1e-4 * (1 + scale), equal_nan=True))


def _close(a: float, b: float, scale: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-4 * (1 + scale)
