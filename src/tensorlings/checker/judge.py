"""Turn what the worker reports about one call into problems, deciding in the checker's process."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import torch

from tensorlings.checker import dtype_errors
from tensorlings.checker.compare import Mismatch, compare, short
from tensorlings.checker.probes import Probe
from tensorlings.checker.results import Problem
from tensorlings.exercise import Exercise
from tensorlings.messages.replies import CallResult, ErrorInfo
from tensorlings.vocab import CallStatus, ProblemKind
from tensorlings.worker import encoding

VALUE_KINDS = (ProblemKind.WRONG_VALUES, ProblemKind.NOT_FINITE)
SHOW_LIMIT = 12  # tensors up to this many elements are shown in full in the call


def _param_names(exercise: Exercise) -> list[str]:
    return list(_signature_names(exercise.solution))


@functools.cache
def _signature_names(solution: Any) -> tuple[str, ...]:
    try:
        return tuple(inspect.signature(solution).parameters)
    except (TypeError, ValueError):
        return ()


def _numbers(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_numbers(item) for item in value) + "]"
    if not isinstance(value, float):
        return repr(value)
    text = f"{value:.4g}"
    return text if any(c in text for c in ".enai") else text + "."  # 1.0 shows as "1."


def _dtype_suffix(value: torch.Tensor, dtype: str) -> str:
    default = dtype in ("float32", "int64") or value.dtype == torch.bool
    return "" if default else f", dtype=torch.{dtype}"


def show_arg(value: Any) -> str:
    """A tensor argument as a learner would type it (small ones in full)."""
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        if value.numel() == 0:  # tensor([]) would read as float32: say the dtype and shape
            return f"torch.empty({tuple(value.shape)}, dtype=torch.{dtype})"
        if value.dim() == 0 and not value.is_complex():
            return f"tensor({_numbers(value.detach().cpu().item())}{_dtype_suffix(value, dtype)})"
        if value.numel() <= SHOW_LIMIT and value.dim() > 0:
            suffix = _dtype_suffix(value, dtype)
            text = f"tensor({_numbers(value.detach().cpu().tolist())}{suffix})"
            return text if len(text) <= 160 else text[:159] + "…"
        return f"<{dtype} tensor of shape {tuple(value.shape)}>"
    return short(value, 60)


def call_text(exercise: Exercise, args: tuple[Any, ...]) -> str:
    names = _param_names(exercise)
    parts = [
        f"{names[i]}={show_arg(a)}" if i < len(names) else show_arg(a) for i, a in enumerate(args)
    ]
    return f"{exercise.id}({', '.join(parts)})"


# What came back as a value encoding is read in encoding.py: the value, or why it is not one.
_decode = encoding.decode_answer
_TooLarge = encoding.TooLarge


def _why(error: ErrorInfo) -> str:
    reason = error.message
    return f" ({reason})" if reason else ""


def _name_error_advice(message: str, tensor_globals: Mapping[str, Any]) -> str:
    name = message.split("'")[1] if message.count("'") >= 2 else ""
    line = tensor_globals.get(name)
    if isinstance(line, int):
        return (
            f". {name!r} is test data (a tensor set at line {line}): functions are judged "
            "without the file's top-level tensors, so make it a parameter or build it inside "
            "the function."
        )
    return (
        ". The name is not defined when your function runs: was it set by a statement that "
        "failed while loading (see the load notes), or only inside a test cell?"
    )


def error_problem(
    exercise: Exercise,
    probe: Probe,
    result: CallResult,
    where: Any,
    tensor_globals: Mapping[str, Any] | None = None,
) -> Problem:
    status = result.status
    error = result.failure
    frames = error.frames
    line = frames[-1][0] if frames and isinstance(frames[-1][0], int) else None
    text = where.line_text(line) if line else ""
    at = (
        f" at {where.where(line)}: {text!r}"
        if text
        else (f" at {where.where(line)}" if line else "")
    )
    call = call_text(exercise, probe.args)
    if status == CallStatus.TIMEOUT:
        return Problem(
            ProblemKind.TIMEOUT,
            f"{call} did not finish in time{at}{_why(error)}. Look for a loop that never ends, "
            "work that grows much faster than the input, or printing inside a loop.",
            line=line,
        )  # fmt: skip
    if status == CallStatus.MEMORY:
        # The same words whichever limit stopped it (RLIMIT_DATA's MemoryError, the cgroup's
        # cap, or its counters after a timeout: memory_verdict.py), which the load decides.
        return Problem(
            ProblemKind.MEMORY_LIMIT,
            f"{call} ran out of memory{at}. Avoid building tensors much larger than the input.",
            line=line,
        )  # fmt: skip
    reason = error.message.strip()
    raised = error.type if result.error is not None else "an error"
    message = f"{call} raised {raised}{at}" + (f": {reason}" if reason else "")
    if (
        result.error is not None
        and error.type == "AssertionError"
        and (exercise.judge.min_learner_asserts)
    ):
        message = (
            f"one of your own asserts failed on a valid input{at}: {call}. An assert must hold "
            "for every valid input; check what it claims."
        )
    elif result.error is not None and error.type == "NameError":
        message += _name_error_advice(error.message, tensor_globals or {})
    elif (
        result.error is not None and error.type == "RuntimeError" and dtype_errors.mismatch(reason)
    ):
        message = message.rstrip(".") + "." + dtype_errors.advice(reason, exercise.rules)
    return Problem(ProblemKind.EXCEPTION, message, line=line)


def output_problems(exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
    """Problems with the value returned, the inputs after the call, and the gradients. The
    call is written out only where a problem shows it (most calls pass)."""
    actual = _decode(result.output)
    if isinstance(actual, _TooLarge) and isinstance(probe.expected, torch.Tensor):
        return [
            Problem(
                ProblemKind.WRONG_SHAPE,
                f"{call_text(exercise, probe.args)}: expected shape "
                f"{tuple(probe.expected.shape)}, got {actual.shape} ({actual.dtype}), far "
                "larger than the expected result",
            )
        ]  # fmt: skip
    problems = []
    mismatch = compare(actual, probe.expected, exercise.output)
    if mismatch is not None:
        problems.append(
            _mismatch_problem(exercise, probe, mismatch, call_text(exercise, probe.args))
        )
    elif isinstance(actual, torch.Tensor) and isinstance(probe.expected, torch.Tensor):
        device = encoding.device_of(result.output)
        if not same_device(device, result.device):
            problems.append(
                Problem(
                    ProblemKind.WRONG_DEVICE,
                    f"the result is on {device}, but the inputs were on {result.device}: "
                    "create new tensors with device=input.device.",
                )
            )  # fmt: skip
    problems += mutation_problems(exercise, probe, result)
    if probe.grad_args and not problems:
        problems += gradient_problems(exercise, probe, result, call_text(exercise, probe.args))
    return problems


def _mismatch_problem(exercise: Exercise, probe: Probe, mismatch: Mismatch, call: str) -> Problem:
    """The problem a wrong output makes (named later, from every probe, if it is a known one)."""
    kind = mismatch.kind
    unstable = probe.large and kind in VALUE_KINDS and bool(exercise.cases)
    if unstable and exercise.cases and exercise.cases.stress_scale:
        kind = ProblemKind.UNSTABLE
        message = (
            f"{call} is right on moderate inputs but not on large ones: "
            f"{mismatch.message}. {exercise.cases.stress_advice}"
        )
    else:
        message = f"{call}: {mismatch.message}"
    return Problem(kind, message, details=mismatch.details)


def same_device(actual: str, requested: str) -> bool:
    """'cuda:0' is on 'cuda'; an explicit index must match."""
    kind, _, index = actual.partition(":")
    wanted_kind, _, wanted_index = requested.partition(":")
    return kind == wanted_kind and (not wanted_index or index == wanted_index)


def mutation_problems(exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
    names = _param_names(exercise)
    problems = []
    for index in result.mutated:
        call = call_text(exercise, probe.args)
        name = names[index] if 0 <= index < len(names) else f"argument {index}"
        problems.append(
            Problem(
                ProblemKind.MUTATES_INPUT,
                f"{call} changed its input {name} in place. "
                + exercise.rules.within(
                    (("clone",), "Work on a copy (x.clone()) or use operations that return "),
                    ((), "Use operations that return "),
                )
                + "new tensors.",
            )
        )  # fmt: skip
    return problems


def gradient_problems(
    exercise: Exercise, probe: Probe, result: CallResult, call: str
) -> list[Problem]:
    state = result.grad
    if state == "none":
        return [
            Problem(
                ProblemKind.NO_GRADIENT,
                f"the result of {call} does not carry gradients back to its input: something "
                "detached it (.detach(), .item(), .numpy(), a new tensor built from values).",
            )
        ]  # fmt: skip
    if state == "error":
        error = result.grad_error
        first = (error.strip().splitlines() or [""])[0].split(" Hint:")[0]
        advice = ""
        if "modified by an inplace operation" in error:
            advice = (
                " A tensor that autograd saved for the backward pass was changed in place "
                "afterwards: write `e = e / s` instead of `e /= s` (or `x.exp()` instead of "
                "`x.exp_()`) for the step that changes it."
            )
        return [
            Problem(
                ProblemKind.NO_GRADIENT, f"backpropagating through {call} failed: {first}.{advice}"
            )
        ]
    if state != "ok":
        return []
    for index, expected in probe.expected_grads.items():
        actual = _decode(result.gradient(index))
        if expected is None:
            continue
        if not isinstance(actual, torch.Tensor):
            return [
                Problem(
                    ProblemKind.NO_GRADIENT, f"no gradient reached the input of {call}", call=call
                )
            ]
        if actual.shape != expected.shape or not torch.allclose(
            actual.double(), expected.double(), rtol=1e-4, atol=1e-6, equal_nan=True
        ):
            return [
                Problem(
                    ProblemKind.NO_GRADIENT,
                    f"the gradients flowing back through {call} are wrong (compared with the "
                    "reference's): an in-place change or a non-differentiable step?",
                )
            ]  # fmt: skip
    return []


def stamped(problems: list[Problem], exercise: Exercise, probe: Probe) -> list[Problem]:
    """The one place that gives every problem of a probe its call and the seed that repeats it."""
    if not problems:
        return []
    call = call_text(exercise, probe.args)
    return [
        replace(p, call=p.call or call, seed=p.seed if p.seed is not None else probe.seed)
        for p in problems
    ]
