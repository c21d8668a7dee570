"""Name the mistake behind a wrong output, so that the message says what the learner did.

An exercise declares the mistakes learners make as code (`tensorlings.exercise.Mistake`); the
checker runs them here, in its own process, on the same input, and a learner's output equal to
one of them is that mistake. Generic recognisers need no declaration: axes in the wrong order,
an off-by-one size, a constant answer, the sheet's answer whatever the input, and code that is
right only on the sheet's sizes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch

from tensorlings.checker.compare import compare
from tensorlings.checker.probes import Probe, clone_args
from tensorlings.checker.results import Problem
from tensorlings.exercise import DtypePolicy, Exercise, Family, OutputPolicy

RECOGNISED_KINDS = ("wrong_values", "not_finite", "unstable", "wrong_shape")
MAX_PERMUTED_AXES = 4


@dataclass(frozen=True)
class Recognised:
    name: str
    explain: str


def _values_policy(policy: OutputPolicy) -> OutputPolicy:
    """Values decide whether an output is a mistake's; the dtype is judged elsewhere."""
    return replace(policy, dtype=DtypePolicy.ANY_NUMERIC)


def same_output(actual: Any, other: Any, policy: OutputPolicy) -> bool:
    if not isinstance(other, torch.Tensor):
        return False
    try:
        return compare(actual, other, _values_policy(policy)) is None
    except (RuntimeError, TypeError, ValueError):
        return False


def recognise(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    """The mistake whose output `actual` is, on this probe's input; None when none fits."""
    for mistake in exercise.mistakes:
        try:
            with torch.no_grad():
                theirs = mistake.run(*clone_args(probe.args))
        except Exception:  # a mistake may not apply to every input: then it is not this one
            continue
        if same_output(theirs, probe.expected, exercise.output):
            continue  # the mistake gives the right answer here: it explains nothing
        if same_output(actual, theirs, exercise.output) or _same_non_finite(
            actual, theirs, probe.expected
        ):
            return Recognised(mistake.name, mistake.explain)
    return generic(exercise, probe, actual)


def _same_non_finite(actual: Any, theirs: Any, expected: Any) -> bool:
    """The mistake explains where the output went nan or inf (other entries may differ for
    another reason): same shape, same non-finite entries, and those entries are wrong."""
    tensors = (actual, theirs, expected)
    if not all(isinstance(x, torch.Tensor) and x.is_floating_point() for x in tensors):
        return False
    if not tuple(actual.shape) == tuple(theirs.shape) == tuple(expected.shape):
        return False
    bad = ~torch.isfinite(actual)
    if not bool(bad.any()) or not torch.equal(bad, ~torch.isfinite(theirs)):
        return False
    same_there = torch.isclose(actual[bad], theirs[bad], equal_nan=True).all()
    wrong_there = ~torch.isclose(actual[bad], expected[bad].to(actual.dtype), equal_nan=True)
    return bool(same_there) and bool(wrong_there.any())


def recognise_error(
    exercise: Exercise, probe: Probe, error_type: str, message: str
) -> Recognised | None:
    """The declared mistake that raises this very error on this input, if any."""
    wanted = message.strip().splitlines()[:1]
    for mistake in exercise.mistakes:
        try:
            with torch.no_grad():
                mistake.run(*clone_args(probe.args))
        except Exception as error:
            if type(error).__name__ == error_type and str(error).strip().splitlines()[:1] == wanted:
                return Recognised(mistake.name, mistake.explain)
    return None


def generic(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    expected = probe.expected
    if not isinstance(actual, torch.Tensor) or not isinstance(expected, torch.Tensor):
        return None
    for recogniser in (_permuted, _off_by_one, _sheet_answer, _constant):
        found = recogniser(exercise, probe, actual, expected)
        if found is not None:
            return found
    return None


def _permuted(
    exercise: Exercise, probe: Probe, actual: torch.Tensor, expected: torch.Tensor
) -> Recognised | None:
    if expected.dim() < 2 or expected.dim() > MAX_PERMUTED_AXES:
        return None
    if actual.numel() != expected.numel() or actual.numel() < 2:
        return None
    identity = tuple(range(expected.dim()))
    for order in itertools.permutations(identity):
        if order == identity:
            continue
        candidate = expected.permute(order)
        if tuple(candidate.shape) == tuple(actual.shape) and same_output(
            actual, candidate, exercise.output
        ):
            if same_output(candidate, expected, exercise.output):
                return None  # symmetric: transposing changes nothing
            what = "transposed" if expected.dim() == 2 else f"with its axes in the order {order}"
            return Recognised(
                "transposed output",
                f"Your result is the right answer {what}: check the order of the axes in your "
                "pattern, einsum string or indexing.",
            )
    return None


def _off_by_one(
    exercise: Exercise, probe: Probe, actual: torch.Tensor, expected: torch.Tensor
) -> Recognised | None:
    if actual.dim() != expected.dim():
        return None
    differing = [
        i for i, (a, e) in enumerate(zip(actual.shape, expected.shape, strict=True)) if a != e
    ]
    if len(differing) != 1:
        return None
    axis = differing[0]
    got, wanted = actual.shape[axis], expected.shape[axis]
    if abs(got - wanted) != 1:
        return None
    return Recognised(
        "off-by-one size",
        f"Axis {axis} has {got} entries where {wanted} are expected: check the ends of your "
        "ranges and slices (the end of arange and of a slice is exclusive).",
    )


def _constant(
    exercise: Exercise, probe: Probe, actual: torch.Tensor, expected: torch.Tensor
) -> Recognised | None:
    if tuple(actual.shape) != tuple(expected.shape) or actual.numel() < 2:
        return None
    flat_actual, flat_expected = actual.reshape(-1), expected.reshape(-1)
    if bool((flat_expected == flat_expected[0]).all()):
        return None
    if not bool((flat_actual == flat_actual[0]).all()):
        return None
    return Recognised(
        "constant output",
        f"Every entry of your result is {float(flat_actual[0]):.4g}, where the right answer "
        "varies: is the result built from a fixed value rather than from the inputs?",
    )


def _sheet_answer(
    exercise: Exercise, probe: Probe, actual: torch.Tensor, expected: torch.Tensor
) -> Recognised | None:
    if probe.family is Family.EXAMPLES:
        return None
    for example in exercise.examples:
        answer = example.expected
        if isinstance(answer, torch.Tensor) and same_output(actual, answer, exercise.output):
            return Recognised(
                "the sheet's answer",
                "Your function returns the sheet's expected answer whatever its input: compute "
                "the result from the arguments.",
            )
    return None


def lead_with(message: str, call: str, found: Recognised) -> str:
    """A mismatch message that leads with the mistake."""
    return f"{call}: this is what {found.name} gives. {found.explain} ({message})"


def across_probes(
    exercise: Exercise,
    pairs: Sequence[tuple[Probe, list[Problem]]],
    outputs: Sequence[Any],
    problems: list[Problem],
) -> list[Problem]:
    """Mistakes seen only across probes: one answer for every input, or right only on the
    sheet's sizes. Adds the name to the first problem that no other recogniser named."""
    if (
        not problems
        or problems[0].mistake is not None
        or problems[0].kind
        not in (
            *RECOGNISED_KINDS,
            "exception",
        )
    ):
        return problems
    found = _same_for_all(exercise, pairs, outputs) or _sheet_sizes_only(exercise, pairs)
    if found is None:
        return problems
    first = problems[0]
    message = f"{first.message}. It looks like {found.name}: {found.explain}"
    return [replace(first, message=message, mistake=found.name), *problems[1:]]


def _same_for_all(
    exercise: Exercise, pairs: Sequence[tuple[Probe, list[Problem]]], outputs: Sequence[Any]
) -> Recognised | None:
    seen: list[tuple[Probe, torch.Tensor]] = []
    for (probe, _), output in zip(pairs, outputs, strict=False):
        if not isinstance(output, torch.Tensor) or not isinstance(probe.expected, torch.Tensor):
            continue
        if tuple(output.shape) != tuple(probe.expected.shape):
            continue  # only outputs of the right size compete (and huge ones cost nothing)
        for other_probe, other in seen:
            if (
                tuple(other.shape) == tuple(output.shape)
                and output.numel() > 0
                and same_output(output, other, exercise.output)
                and not same_output(other_probe.expected, probe.expected, exercise.output)
            ):
                return Recognised(
                    "an answer that ignores the input",
                    "two different inputs gave exactly the same result: is the result built "
                    "from fixed values, or from a global instead of the arguments?",
                )
        seen.append((probe, output))
    return None


def _sheet_sizes_only(
    exercise: Exercise, pairs: Sequence[tuple[Probe, list[Problem]]]
) -> Recognised | None:
    examples = [found for probe, found in pairs if probe.family is Family.EXAMPLES]
    randoms = [found for probe, found in pairs if probe.family is Family.RANDOM]
    if not examples or any(examples) or not any(randoms):
        return None
    shapes = [
        tuple(a.shape)
        for a in exercise.examples[0].args
        if isinstance(a, torch.Tensor) and a.dim() > 0
    ]
    of = f" (inputs of shape {', '.join(map(str, shapes))})" if shapes else ""
    return Recognised(
        "code that is right only on the sheet's sizes",
        f"it is right on the sheet's example{of} but not on other sizes. Is a size from the "
        "example written into the code (a number of weeks, rows or events), or are two axes of "
        "equal length in the example mixed up?",
    )
