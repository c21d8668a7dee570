"""Wrong versions of a reference, derived by wrapping it: its output changed (axes swapped,
the two sizes mixed up, an axis squeezed or added, shifted or cut by one, a constant, another
dtype, detached from the graph) or its inputs changed (transposed, the last row dropped, signs
lost), or an input changed in place behind an otherwise right answer.

No source is rewritten, so every mutant works for every reference. Where a change makes no
sense for one output (no axis 1 to swap on a 1-D result) the mutant returns the right answer
there: a squeeze() is harmless on an axis that is not of size 1, and only inputs where the
mistake shows can tell it apart. The audit decides which mutants differ from the reference at
all, so a mutant that happens to be harmless everywhere is never held against an exercise.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from tensorlings.checker.probes import Probe
from tensorlings.exercise import Exercise, Family

MAX_AXES = 4  # output axes considered for swaps (the sheet's outputs have at most 4)


@dataclass(frozen=True)
class Mutant:
    kind: str  # swap_axes | swapped_sizes | squeeze | unsqueeze | roll | drop_last | zeros |
    # first_answer | negate | cast | detach | transposed_input | input_row_dropped |
    # input_sign_lost | mutates_input
    label: str  # what the mutant does, in words
    function: Callable[..., Any]


Transform = Callable[[torch.Tensor], torch.Tensor]


def _on_output(reference: Callable[..., Any], transform: Transform) -> Callable[..., Any]:
    def mutant(*args: Any) -> Any:
        out = reference(*args)
        return transform(out) if isinstance(out, torch.Tensor) else out

    return mutant


def _on_input(
    reference: Callable[..., Any], index: int, transform: Transform
) -> Callable[..., Any]:
    def mutant(*args: Any) -> Any:
        changed = list(args)
        if isinstance(changed[index], torch.Tensor):
            changed[index] = transform(changed[index])
        return reference(*changed)

    return mutant


def _swap(i: int, j: int) -> Transform:
    return lambda out: out.transpose(i, j) if out.dim() > j else out


def _swapped_sizes(i: int, j: int) -> Transform:
    def transform(out: torch.Tensor) -> torch.Tensor:
        if out.dim() <= j:
            return out
        shape = list(out.shape)
        shape[i], shape[j] = shape[j], shape[i]
        return out.reshape(shape)

    return transform


def _squeeze(k: int) -> Transform:
    return lambda out: out.squeeze(k) if out.dim() > k else out


def _roll(k: int) -> Transform:
    return lambda out: out.roll(1, k) if out.dim() > k else out


def _drop_last(k: int) -> Transform:
    def transform(out: torch.Tensor) -> torch.Tensor:
        if out.dim() <= k or out.shape[k] == 0:
            return out
        return out.narrow(k, 0, out.shape[k] - 1)

    return transform


def _negate(out: torch.Tensor) -> torch.Tensor:
    return out if out.dtype == torch.bool else -out


def _cast(dtype: torch.dtype) -> Transform:
    return lambda out: out.to(dtype)


def _cast_targets(dtype: torch.dtype) -> list[torch.dtype]:
    if dtype.is_floating_point:
        return [torch.float64 if dtype != torch.float64 else torch.float32, torch.int64]
    if dtype == torch.bool:
        return [torch.int64]
    return [torch.float32, torch.int32 if dtype == torch.int64 else torch.int64]


def _in_place(args: Sequence[Any], index: int) -> None:
    arg = args[index]
    if arg.numel() == 0:
        return
    with torch.no_grad():
        if arg.dtype == torch.bool:
            arg.logical_not_()
        else:
            arg.add_(1)


def _mutating(reference: Callable[..., Any], index: int) -> Callable[..., Any]:
    def mutant(*args: Any) -> Any:
        out = reference(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
        if isinstance(args[index], torch.Tensor):
            _in_place(args, index)
        return out

    return mutant


def _first_answer(answer: Any) -> Callable[..., Any]:
    def mutant(*args: Any) -> Any:
        return answer.clone() if isinstance(answer, torch.Tensor) else answer

    return mutant


Change = tuple[str, str, Transform]  # (kind, what it does in words, the change)


def _axis_changes(dims: int) -> list[Change]:
    found: list[Change] = []
    for i, j in itertools.combinations(range(dims), 2):
        found.append(("swap_axes", f"the output with axes {i} and {j} swapped", _swap(i, j)))
        found.append(("swapped_sizes", f"the output reshaped with the sizes of axes {i} and {j} "
                      "exchanged (the two sizes mixed up)", _swapped_sizes(i, j)))  # fmt: skip
    for k in range(dims):
        found += [
            ("squeeze", f"axis {k} squeezed away where it has size 1 (keepdim dropped)",
             _squeeze(k)),
            ("roll", f"the output shifted by one along axis {k}", _roll(k)),
            ("drop_last", f"the last entry along axis {k} cut off (an off-by-one slice)",
             _drop_last(k)),
        ]  # fmt: skip
    return found


def output_mutants(reference: Callable[..., Any], outputs: Sequence[torch.Tensor]) -> list[Mutant]:
    """Mutants of the output, for outputs of up to `max dim` axes and their dtype."""
    changes = _axis_changes(min(MAX_AXES, max((o.dim() for o in outputs), default=0)))
    changes += [
        ("unsqueeze", "an extra axis of size 1 in front (keepdim left in)",
         lambda out: out.unsqueeze(0)),
        ("zeros", "zeros of the right shape and dtype", torch.zeros_like),
        ("negate", "the output with its sign flipped", _negate),
    ]  # fmt: skip
    if outputs:
        changes += [
            ("cast", f"the same answer cast to {str(dtype).removeprefix('torch.')}", _cast(dtype))
            for dtype in _cast_targets(outputs[0].dtype)
        ]
    return [Mutant(kind, label, _on_output(reference, change)) for kind, label, change in changes]


def _input_changes(arg: torch.Tensor, index: int) -> list[Change]:
    found: list[Change] = []
    if arg.dim() >= 2:
        found.append(
            (
                "transposed_input",
                f"the reference applied to argument {index} "
                "transposed (working along the other axis)",
                lambda x: x.transpose(0, 1),
            )
        )
    if arg.dim() >= 1:
        found.append(
            (
                "input_row_dropped",
                f"the reference applied without the last row of argument {index}",
                lambda x: x[:-1] if len(x) else x,
            )
        )
    if arg.is_floating_point():
        found.append(
            (
                "input_sign_lost",
                f"the reference applied to the absolute value of argument {index}",
                torch.abs,
            )
        )
    return found  # fmt: skip


def input_mutants(reference: Callable[..., Any], first_args: Sequence[Any]) -> list[Mutant]:
    """Mutants of the inputs, for the tensor arguments of the first contract probe."""
    tensors = [i for i, a in enumerate(first_args) if isinstance(a, torch.Tensor)]
    found = [
        Mutant(kind, label, _on_input(reference, index, change))
        for index in tensors
        for kind, label, change in _input_changes(first_args[index], index)
    ]
    if tensors:
        label = f"the right answer, with argument {tensors[0]} changed in place"
        found.append(Mutant("mutates_input", label, _mutating(reference, tensors[0])))
    return found


def derive(exercise: Exercise, contract: Sequence[Probe]) -> list[Mutant]:
    """Every mutant of this function exercise's reference, for its contract probes."""
    reference = exercise.solution
    outputs = [p.expected for p in contract if isinstance(p.expected, torch.Tensor)]
    found = output_mutants(reference, outputs)
    if contract:
        found += input_mutants(reference, contract[0].args)
    if contract and inspect.signature(reference).parameters:
        found.append(
            Mutant(
                "first_answer",
                "the first probe's answer, whatever the input",
                _first_answer(contract[0].expected),
            )
        )
    # Where gradients are contract, whether or not any probe checks them (that is the point).
    if exercise.tiers.fails(Family.GRADIENTS) and any(o.is_floating_point() for o in outputs):
        found.append(
            Mutant(
                "detach",
                "the right answer detached from the graph",
                _on_output(reference, lambda out: out.detach()),
            )
        )
    return found
