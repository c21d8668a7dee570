"""Name the mistake behind a failure, so that the message says what the learner did.

An exercise declares the mistakes learners make as code (`tensorlings.exercise.Mistake`). When
an exercise fails, the checker runs each of them here, in its own process, on every contract
probe, and names one only if it behaves like the learner's code on all of them: the same wrong
value or the same error where the learner was wrong, and the right answer where the learner was
right. A coincidence on one small input is not enough to name a mistake.

Generic recognisers need no declaration and follow the same rule: the wrong sign, values
shifted by a constant, axes in the wrong order, the right values in another shape, an axis of
size 1 too many or too few, an off-by-one size, a constant answer, the sheet's answer whatever
the input; across probes, one answer for different inputs, and code that breaks on every size
but the sheet's.
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch

from tensorlings.checker import dtype_errors
from tensorlings.checker.compare import compare
from tensorlings.checker.probes import Probe, clone_args
from tensorlings.checker.results import Problem
from tensorlings.exercise import DtypePolicy, Exercise, Family, OutputPolicy
from tensorlings.vocab import ProblemKind

NAMEABLE_KINDS = (
    ProblemKind.WRONG_VALUES,
    ProblemKind.NOT_FINITE,
    ProblemKind.UNSTABLE,
    ProblemKind.WRONG_SHAPE,
    ProblemKind.EXCEPTION,
)
VALUE_KINDS = (
    ProblemKind.WRONG_VALUES,
    ProblemKind.NOT_FINITE,
    ProblemKind.UNSTABLE,
    ProblemKind.WRONG_SHAPE,
)
MAX_PERMUTED_AXES = 4


@dataclass(frozen=True)
class Recognised:
    name: str
    explain: str
    # How the message leads: a declared mistake is "what it gives", a pattern seen across the
    # probes is only what the code "looks like".
    sure: bool = True


@dataclass(frozen=True)
class Outcome:
    """What one call gave: a value, or an error (its type and first line)."""

    value: Any = None
    error: tuple[str, str] | None = None

    @classmethod
    def of_error(cls, kind: str, message: str) -> Outcome:
        return cls(error=(kind, (message.strip().splitlines() or [""])[0]))


@dataclass(frozen=True)
class Evidence:
    """One contract probe as the learner's code met it."""

    probe: Probe
    outcome: Outcome | None  # None: not known (crashed, timed out, not sendable)
    wrong: bool  # its output or error is what failed (not only its dtype, say)
    right: bool  # nothing at all was wrong on it


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


def run_trusted(function: Callable[..., Any], probe: Probe) -> Outcome:
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ours to run: its warnings are nobody's business
            return Outcome(value=function(*clone_args(probe.args)))
    except Exception as error:  # a mistake may raise, and that is part of what it does
        return Outcome.of_error(type(error).__name__, str(error))


def _same(learner: Outcome, theirs: Outcome, policy: OutputPolicy) -> bool:
    if learner.error is not None or theirs.error is not None:
        return learner.error == theirs.error
    return same_output(learner.value, theirs.value, policy)


def evidence(
    pairs: Sequence[tuple[Probe, list[Problem]]], outcomes: Sequence[Outcome | None]
) -> list[Evidence]:
    return [
        Evidence(
            probe,
            outcome,
            wrong=any(p.kind in NAMEABLE_KINDS for p in found),
            right=not found,
        )
        for (probe, found), outcome in zip(pairs, outcomes, strict=False)
    ]


def _declared(exercise: Exercise, seen: list[Evidence]) -> Recognised | None:
    for mistake in exercise.mistakes:
        matched = 0
        for item in seen:
            if item.outcome is None or not (item.wrong or item.right):
                continue
            theirs = run_trusted(mistake.run, item.probe)
            if item.right:
                if not _same(Outcome(value=item.probe.expected), theirs, exercise.output):
                    break  # the learner is right where this mistake is wrong
            elif _same(item.outcome, theirs, exercise.output):
                matched += 1
            else:
                break
        else:
            if matched:
                return Recognised(mistake.name, mistake.explain)
    return None


def _generic(exercise: Exercise, seen: list[Evidence]) -> Recognised | None:
    """A generic recogniser that fires on every wrong value the learner returned."""
    wrong_values = [
        (item.probe, item.outcome.value)
        for item in seen
        if item.wrong and item.outcome is not None and item.outcome.error is None
    ]
    if not wrong_values:
        return None
    for recogniser in GENERIC:
        found = [recogniser(exercise, probe, actual) for probe, actual in wrong_values]
        if all(f is not None for f in found):
            return found[0]
    return None


def name(
    exercise: Exercise,
    pairs: Sequence[tuple[Probe, list[Problem]]],
    outcomes: Sequence[Outcome | None],
    problems: list[Problem],
) -> list[Problem]:
    """The problems, with the mistake that explains them named in front of each."""
    if not any(p.fails and p.kind in NAMEABLE_KINDS for p in problems):
        return problems
    seen = evidence(pairs, outcomes)
    # Code that writes into its input can give one answer for every input because it
    # overwrote the input, not because it ignores it: that problem is reported as it is.
    overwrote = any(p.kind == ProblemKind.MUTATES_INPUT for _, found in pairs for p in found)
    found = (
        _declared(exercise, seen)
        or _generic(exercise, seen)
        or (None if overwrote else _same_for_all(exercise, seen))
        or _sheet_sizes_only(exercise, seen, problems)
    )
    if found is None:
        return problems
    return [lead_with(p, found) if p.fails and p.kind in NAMEABLE_KINDS else p for p in problems]


def lead_with(problem: Problem, found: Recognised) -> Problem:
    """`call: this is what NAME gives. EXPLAIN (what was seen)`."""
    call = problem.call or ""
    seen = problem.message.removeprefix(call).lstrip(": ")
    if seen.startswith("raised "):
        seen = "it " + seen
    lead = f"this is what {found.name} gives" if found.sure else f"this looks like {found.name}"
    message = f"{call}: {lead}. {found.explain} ({seen})"
    return replace(problem, message=message, mistake=found.name)


# --- Generic recognisers, each on one probe ------------------------------------------------

Generic = Callable[[Exercise, Probe, Any], Recognised | None]


def _tensors(actual: Any, probe: Probe) -> tuple[torch.Tensor, torch.Tensor] | None:
    expected = probe.expected
    if not isinstance(actual, torch.Tensor) or not isinstance(expected, torch.Tensor):
        return None
    if actual.is_complex() or expected.is_complex():
        return None
    return actual, expected


def _negated(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    pair = _tensors(actual, probe)
    if pair is None or pair[1].dtype == torch.bool or not bool((pair[1] != 0).any()):
        return None
    if not same_output(pair[0], -pair[1], exercise.output):
        return None
    return Recognised(
        "the wrong sign",
        "Your result is the right answer with its sign flipped: check the order of a "
        "subtraction, or a minus sign too many or too few.",
    )


def _shifted(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    pair = _tensors(actual, probe)
    if pair is None or tuple(pair[0].shape) != tuple(pair[1].shape) or pair[0].numel() < 2:
        return None
    a, e = pair[0].double(), pair[1].double()
    if not (bool(a.isfinite().all()) and bool(e.isfinite().all())):
        return None
    offset = float((a - e).reshape(-1)[0])
    if abs(offset) < 1e-6 or not same_output(pair[0], e + offset, exercise.output):
        return None
    arange = exercise.rules.within((("arange",), " (arange's end is exclusive)"), ((), ""))
    return Recognised(
        "values shifted by a constant",
        f"Every entry is off by {offset:+.4g}: check where a range starts and ends{arange}, "
        "or a constant added or left out.",
    )


def _permuted(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    pair = _tensors(actual, probe)
    if pair is None:
        return None
    actual, expected = pair
    if not 2 <= expected.dim() <= MAX_PERMUTED_AXES or actual.numel() != expected.numel():
        return None
    identity = tuple(range(expected.dim()))
    for order in itertools.permutations(identity):
        candidate = expected.permute(order)
        if order == identity or tuple(candidate.shape) != tuple(actual.shape):
            continue
        if same_output(actual, candidate, exercise.output) and not same_output(
            candidate, expected, exercise.output
        ):
            what = "transposed" if expected.dim() == 2 else f"with its axes in the order {order}"
            where = exercise.rules.within(
                (("rearrange", "einsum"), "pattern, einsum string or indexing"),
                (("rearrange",), "pattern or indexing"),
                (("einsum",), "einsum string or indexing"),
                ((), "indexing (a[:, None] against a[None, :])"),
            )
            return Recognised(
                "transposed output",
                f"Your result is the right answer {what}: check the order of the axes in your "
                f"{where}.",
            )
    return None


def _squeezed(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    pair = _tensors(actual, probe)
    if pair is None or tuple(pair[0].shape) == tuple(pair[1].shape):
        return None
    actual, expected = pair
    if actual.numel() != expected.numel():
        return None
    if not same_output(actual.reshape(expected.shape), expected, exercise.output):
        return None
    ones_dropped = [s for s in expected.shape if s != 1] == list(actual.shape)
    ones_added = [s for s in actual.shape if s != 1] == [s for s in expected.shape if s != 1]
    if ones_dropped and 1 in expected.shape:
        shape = f"the shape is {tuple(actual.shape)}, not {tuple(expected.shape)}"
        if not exercise.rules.allows("squeeze"):  # the learner could not have squeezed
            return Recognised(
                "an axis of size 1 dropped",
                f"The values are right but {shape}: an axis of size 1 is missing. Keep it "
                "where the result has it ("
                + exercise.rules.within(
                    (("rearrange",), "index with None, or a 1 in your pattern"),
                    ((), "index with None"),
                )
                + ").",
            )
        return Recognised(
            "squeeze() dropping an axis of size 1",
            f"The values are right but {shape}: squeeze() without a dim drops every axis of "
            "size 1, the batch axis too when there is one row. Squeeze only the axis you mean: "
            "squeeze(-1).",
        )
    if ones_added:
        return Recognised(
            "an extra axis of size 1",
            f"The values are right but the shape is {tuple(actual.shape)}, not "
            f"{tuple(expected.shape)}: a reduction with keepdim=True, or an axis of 1 in a "
            "pattern, is left in the result. "
            + exercise.rules.within(
                (("squeeze",), "Drop it (keepdim=False, or squeeze that axis)."),
                ((), "Drop it (keepdim=False, or index that axis away with 0)."),
            ),
        )
    return Recognised(
        "the right values in another shape",
        f"The values are right and in the right order, but the shape is {tuple(actual.shape)}, "
        f"not {tuple(expected.shape)}: "
        + exercise.rules.within(
            (("reshape", "rearrange"), "reshape (or rearrange) the result back."),
            (("reshape",), "reshape the result back."),
            (("rearrange",), "rearrange the result back."),
            (("view",), "view the result in the right shape."),
            ((), "build it in the right shape (index with None to add an axis)."),
        ),
    )


def _off_by_one(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    pair = _tensors(actual, probe)
    if pair is None or pair[0].dim() != pair[1].dim():
        return None
    actual, expected = pair
    steps = {a - e for a, e in zip(actual.shape, expected.shape, strict=True) if a != e}
    if steps not in ({1}, {-1}):
        return None
    axes = [i for i, (a, e) in enumerate(zip(actual.shape, expected.shape, strict=True)) if a != e]
    where = f"axis {axes[0]} has" if len(axes) == 1 else f"axes {axes} have"
    return Recognised(
        "an off-by-one size",
        f"The shape is {tuple(actual.shape)} where {tuple(expected.shape)} is expected ({where} "
        "one entry too many or too few): check the ends of your ranges and slices (the end of "
        + exercise.rules.within((("arange",), "arange and "), ((), ""))
        + "a slice is exclusive).",
    )


def _constant(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    pair = _tensors(actual, probe)
    if pair is None or tuple(pair[0].shape) != tuple(pair[1].shape) or pair[0].numel() < 2:
        return None
    flat_actual, flat_expected = pair[0].reshape(-1), pair[1].reshape(-1)
    if bool((flat_expected == flat_expected[0]).all()):
        return None
    if not bool((flat_actual == flat_actual[0]).all()):
        return None
    return Recognised(
        "constant output",
        f"Every entry of your result is {float(flat_actual[0]):.4g}, where the right answer "
        "varies: is the result built from a fixed value rather than from the inputs?",
    )


def _sheet_answer(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    if probe.family is Family.EXAMPLES or not isinstance(actual, torch.Tensor):
        return None
    for example in exercise.examples:
        answer = example.expected
        if isinstance(answer, torch.Tensor) and same_output(actual, answer, exercise.output):
            return Recognised(
                "the example's answer",
                "Your function returns the example's expected answer whatever its input: compute "
                "the result from the arguments.",
            )
    return None


GENERIC: tuple[Generic, ...] = (
    _negated,
    _shifted,
    _permuted,
    _squeezed,
    _off_by_one,
    _constant,
    _sheet_answer,
)


def generic(exercise: Exercise, probe: Probe, actual: Any) -> Recognised | None:
    """The first generic recogniser that fires on one output."""
    for recogniser in GENERIC:
        found = recogniser(exercise, probe, actual)
        if found is not None:
            return found
    return None


# --- Recognisers across probes ----------------------------------------------------------------


def _same_for_all(exercise: Exercise, seen: list[Evidence]) -> Recognised | None:
    """Two different inputs, the same (wrong, finite, multi-entry) answer."""
    outputs = [
        (item.probe, item.outcome.value)
        for item in seen
        if item.wrong
        and item.outcome is not None
        and isinstance(item.outcome.value, torch.Tensor)
        and isinstance(item.probe.expected, torch.Tensor)
        # Only outputs of the right size compete (and huge ones cost nothing).
        and tuple(item.outcome.value.shape) == tuple(item.probe.expected.shape)
        and item.outcome.value.numel() > 1
        and (
            not item.outcome.value.is_floating_point() or bool(item.outcome.value.isfinite().all())
        )
    ]
    for (probe, output), (other_probe, other) in itertools.combinations(outputs, 2):
        if same_output(output, other, exercise.output) and not same_output(
            other_probe.expected, probe.expected, exercise.output
        ):
            return Recognised(
                "an answer that ignores the input",
                "Two different inputs gave exactly the same result: is the result built from "
                "fixed values, or from a global instead of the arguments?",
                sure=False,
            )
    return None


def _empty(exercise: Exercise, probe: Probe) -> bool:
    """An input with a size of 0: an empty tensor, or a size argument of 0."""
    if probe.family is Family.EMPTY or 0 in probe.sizes.values():
        return True
    if any(isinstance(a, torch.Tensor) and a.numel() == 0 for a in probe.args):
        return True
    sizes = exercise.cases.sizes if exercise.cases else {}
    names = list(inspect.signature(exercise.solution).parameters)
    return any(
        name in sizes and type(value) is int and value == 0
        for name, value in zip(names, probe.args, strict=False)
    )


def _sheet_sizes_only(
    exercise: Exercise, seen: list[Evidence], problems: list[Problem]
) -> Recognised | None:
    """Right on the sheet's examples, and a shape error or an exception on other sizes (or
    right everywhere but on a size of 0)."""
    if not any(
        p.fails and p.kind in (ProblemKind.WRONG_SHAPE, ProblemKind.EXCEPTION) for p in problems
    ):
        return None
    wrong = [item for item in seen if not item.right]
    # A dtype mismatch on an empty input is a dtype mismatch: sizes of 0 are not the cause.
    mixed = any(
        item.outcome is not None
        and item.outcome.error is not None
        and dtype_errors.mismatch(item.outcome.error[1]) is not None
        for item in wrong
    )
    if wrong and not mixed and all(_empty(exercise, item.probe) for item in wrong):
        return Recognised(
            "code that refuses a size of 0",
            "It is right on every input but the empty ones. Every step must accept a size of 0 "
            "(an empty batch): torch.stack of an empty list, a reshape that divides by a size, "
            "or an assert that a size is positive all refuse it.",
            sure=False,
        )
    examples = [item for item in seen if item.probe.family is Family.EXAMPLES]
    if not examples or not all(item.right for item in examples):
        return None
    if not any(
        p.fails and p.kind in (ProblemKind.WRONG_SHAPE, ProblemKind.EXCEPTION) for p in problems
    ):
        return None
    shapes = [
        tuple(a.shape)
        for a in exercise.examples[0].args
        if isinstance(a, torch.Tensor) and a.dim() > 0
    ]
    of = f" (inputs of shape {', '.join(map(str, shapes))})" if shapes else ""
    return Recognised(
        "code that is right only on the example's sizes",
        f"It is right on the example{of} but breaks on other sizes. Is a size from the "
        "example written into the code (a batch size, a number of rows, weeks or events)?",
        sure=False,
    )
