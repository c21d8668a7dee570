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
from builtins import isinstance, len, type, zip  # noqa: UP029 (bound before learner code)
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
_no_grad = torch.no_grad

# Runs the exercise's call again; `perturb` names the calls whose results are changed. Returns
# the result and how many non-empty results were changed.
Rerun = Callable[[tuple[str, ...]], tuple[Any, int]]


def perturbed(value: Any) -> tuple[Any, bool]:
    """A different value of the same shape and dtype: every entry moves (booleans flip)."""
    if not isinstance(value, _Tensor) or value.numel() == 0:
        return value, False
    with _no_grad():
        if value.dtype == torch.bool:
            return ~value, True
        if value.dtype.is_floating_point or value.dtype.is_complex:
            return value + (1 + value.abs()), True
        return value + 1, True


def perturb_in_place(value: Any) -> bool:
    """For x.add_(...), y[mask] = 0 and friends: change the tensor the call wrote to."""
    changed, ok = perturbed(value)
    if ok:
        with _no_grad():
            value.copy_(changed)
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
    if first.shape != second.shape or first.dtype != second.dtype or first.is_sparse:
        return False
    with _no_grad():
        a, b = first.detach().cpu(), second.detach().cpu()
        if not (a.dtype.is_floating_point or a.dtype.is_complex):
            return bool(torch.equal(a, b))
        finite = a[a.isfinite()].abs()
        scale = float(finite.max()) if finite.numel() else 0.0
        # `answer + r - r` with r changed rounds differently: that is not the call's doing.
        return bool(torch.allclose(a, b, rtol=0.0, atol=1e-4 * (1 + scale), equal_nan=True))


def _close(a: float, b: float, scale: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-4 * (1 + scale)
