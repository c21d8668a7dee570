"""Why the contract probes could not tell a mutant from the reference: what every contract
probe has in common that the input showing the mutant (the witness) does not.

Each trait is a fact about the probes, checked on all of them, and is reported only when the
witness breaks it: "every random case has n == m" is a cause only if the witness is not square.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from tensorlings.authoring.witnesses import declared_axes
from tensorlings.checker.probes import Probe
from tensorlings.exercise import Exercise, Family


@dataclass(frozen=True)
class Cause:
    text: str
    advice: str


def _shape(value: object) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def _arg_shapes(probe: Probe, index: int) -> tuple[int, ...] | None:
    return _shape(probe.args[index]) if index < len(probe.args) else None


def _equal_sizes(exercise: Exercise, probes: Sequence[Probe], witness: Probe) -> list[Cause]:
    names = list(exercise.cases.sizes) if exercise.cases else []
    found = []
    for a, b in itertools.combinations(names, 2):
        seen = [p for p in probes if a in p.sizes and b in p.sizes]
        always = bool(seen) and all(p.sizes[a] == p.sizes[b] for p in seen)
        if always and witness.sizes.get(a) != witness.sizes.get(b):
            found.append(
                Cause(
                    f"every random case draws {a} == {b}",
                    f"draw {a} and {b} independently (raise the case count or widen their ranges)",
                )
            )
    return found


def _square_inputs(exercise: Exercise, probes: Sequence[Probe], witness: Probe) -> list[Cause]:
    """Axes the `shapes` give different names that every contract case makes equally long."""
    found = []
    for index, names in declared_axes(exercise).items():
        for i, j in itertools.combinations(range(len(names)), 2):
            if not names[i] or not names[j] or names[i] == names[j]:
                continue
            shapes = [_arg_shapes(p, index) for p in probes]
            if not all(s is not None and len(s) > j for s in shapes):
                continue
            theirs = _arg_shapes(witness, index)
            if all(s[i] == s[j] for s in shapes if s) and theirs and theirs[i] != theirs[j]:
                found.append(
                    Cause(
                        f"your random cases are all square: argument {index} is declared "
                        f"({', '.join(n or '?' for n in names)}), but every contract case has "
                        f"{names[i]} == {names[j]}",
                        f"make the case maker draw {names[i]} and {names[j]} as separate sizes",
                    )
                )
    return found


def _fixed_sizes(exercise: Exercise, probes: Sequence[Probe], witness: Probe) -> list[Cause]:
    found = []
    for name in exercise.cases.sizes if exercise.cases else ():
        values = {p.sizes[name] for p in probes if name in p.sizes}
        if len(values) == 1 and witness.sizes.get(name) not in values | {None}:
            found.append(
                Cause(
                    f"every random case draws the same {name} = {values.pop()}",
                    f"widen the range of {name} so that cases differ",
                )
            )
    return found


def _output_axes(exercise: Exercise, probes: Sequence[Probe], witness: Probe) -> list[Cause]:
    shapes = [_shape(p.expected) for p in probes]
    theirs = _shape(witness.expected)
    if theirs is None or not shapes or any(s is None or len(s) != len(theirs) for s in shapes):
        return []
    found = []
    for k in range(len(theirs)):
        sizes = {s[k] for s in shapes if s}
        if sizes == {1} and theirs[k] != 1:
            found.append(
                Cause(
                    f"output axis {k} has size 1 in every contract case",
                    f"add cases where axis {k} of the result is longer than 1",
                )
            )
        elif 1 not in sizes and theirs[k] == 1:
            found.append(
                Cause(
                    f"output axis {k} never has size 1 in a contract case",
                    f"let the size behind axis {k} go down to 1, or add a contract input where "
                    "it is 1 (a SpecialInput of the random family: a seed may never draw it)",
                )
            )
    for i, j in itertools.combinations(range(len(theirs)), 2):
        if all(s[i] == s[j] for s in shapes if s) and theirs[i] != theirs[j]:
            found.append(
                Cause(
                    f"output axes {i} and {j} are equally long in every contract case",
                    "draw the sizes behind them independently",
                )
            )
    return found


def _floats(probe: Probe) -> list[torch.Tensor]:
    return [a for a in probe.args if isinstance(a, torch.Tensor) and a.is_floating_point()]


def _signs(exercise: Exercise, probes: Sequence[Probe], witness: Probe) -> list[Cause]:
    def negative(p: Probe) -> bool:
        return any(bool((a < 0).any()) for a in _floats(p))

    signed = any(_floats(p) for p in probes) and not any(negative(p) for p in probes)
    if signed and negative(witness):
        return [
            Cause(
                "every input value is non-negative in the contract cases",
                "draw values of both signs (d.normal rather than d.uniform(0, ...))",
            )
        ]
    return []


def _zeros(exercise: Exercise, probes: Sequence[Probe], witness: Probe) -> list[Cause]:
    def zero(p: Probe) -> bool:
        e = p.expected
        return isinstance(e, torch.Tensor) and not bool(e.bool().any())

    if probes and all(zero(p) for p in probes) and not zero(witness):
        return [
            Cause(
                "every contract case's answer is all zeros",
                "draw inputs whose answer has entries other than zero",
            )
        ]
    return []


TRAITS: tuple[Callable[[Exercise, Sequence[Probe], Probe], list[Cause]], ...] = (
    _square_inputs,
    _equal_sizes,
    _fixed_sizes,
    _output_axes,
    _signs,
    _zeros,
)


def causes(exercise: Exercise, contract: Sequence[Probe], witness: Probe) -> list[Cause]:
    """What the contract probes share and the witness does not, most telling first."""
    randoms = [p for p in contract if p.drawn is Family.RANDOM]
    found: list[Cause] = []
    for trait in TRAITS:
        found += trait(exercise, randoms or list(contract), witness)
    if not randoms:
        count = sum(p.family is Family.EXAMPLES for p in contract)
        found.insert(
            0,
            Cause(
                f"the contract has only {count} example(s) and no random cases",
                "add RandomCases with a case maker",
            ),
        )
    return found


def only_examples(contract: Sequence[Probe]) -> Cause:
    count = sum(p.family is Family.EXAMPLES for p in contract)
    return Cause(
        f"only {count} example(s) and no random cases: every probe has the same input",
        "add RandomCases with a case maker, so that the function meets inputs it was not shown",
    )
