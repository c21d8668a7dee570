"""Inputs where a mutant may show, made beyond the exercise's own probes but inside its
declared domain: the case maker at sizes the probes may not have drawn (all different, all at
their smallest, all equal, all at their largest, fresh seeds), and the probes' own inputs with
an axis shortened by one where the exercise's `shapes` name that axis on its own (`(n, m)`:
n and m need not be equal, whatever the case maker draws).

A mutant that passes every contract probe but differs from the reference on one of these is a
mistake the exercise cannot catch; one that differs nowhere is harmless and is skipped.
"""

from __future__ import annotations

import inspect
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import torch

from tensorlings.checker.probes import (
    Probe,
    contract_low,
    random_probe,
    reference_output,
    with_gradients,
)
from tensorlings.exercise import Exercise, Family, RandomCases

LARGEST = 48  # sizes above this add time, not evidence
FRESH_DRAWS = 3
WITNESS_SEED = 77_000  # far from every seed the probes use
_NAME = re.compile(r"^[A-Za-z_]\w*$")


def _size_plans(cases: RandomCases, rng: random.Random) -> list[dict[str, int]]:
    names = list(cases.sizes)
    low = {n: contract_low(cases, n) for n in names}
    high = {n: max(low[n], min(cases.sizes[n][1], LARGEST)) for n in names}
    plans = [
        {n: min(high[n], max(low[n], 2 + i)) for i, n in enumerate(names)},  # all different
        {n: low[n] for n in names},
        {n: min(high[n], max(low[n], 3)) for n in names},  # all equal where they can be
        dict(high),
    ]
    plans += [{n: rng.randint(low[n], high[n]) for n in names} for _ in range(FRESH_DRAWS)]
    return plans


def drawn(exercise: Exercise) -> list[Probe]:
    """The case maker's inputs at the size plans, in each contract dtype."""
    cases = exercise.cases
    if cases is None:
        return []
    rng = random.Random(WITNESS_SEED)
    found = []
    for n, sizes in enumerate(_size_plans(cases, rng)):
        for dtype in cases.dtypes:
            try:
                found.append(random_probe(exercise, WITNESS_SEED + n, sizes, dtype))
            except Exception:  # sizes the maker or the reference refuses: not in the domain
                continue
    if exercise.tiers.fails(Family.GRADIENTS) and cases.grad_args:
        found += [_graded(exercise, p) for p in found[:2]]
    return [p for p in found if exercise.tiers.fails(p.family)]


def _graded(exercise: Exercise, probe: Probe) -> Probe:
    return with_gradients(exercise, replace(probe, drawn=Family.GRADIENTS, family=Family.GRADIENTS))


def declared_axes(exercise: Exercise) -> dict[int, list[str | None]]:
    """Per argument index, the name of each axis its `shapes` entry gives (None: not a plain
    name, such as `7 * weeks`)."""
    names = list(inspect.signature(exercise.solution).parameters)
    found = {}
    for index, name in enumerate(names):
        text = exercise.shapes.get(name, "")
        if not (text.startswith("(") and text.endswith(")")):
            continue
        parts = [p.strip() for p in text[1:-1].split(",") if p.strip()]
        found[index] = [p if _NAME.match(p) else None for p in parts]
    return found


def independent_axes(exercise: Exercise) -> list[tuple[int, int, str]]:
    """(argument, axis, name) of each axis whose name no other input axis shares."""
    axes = declared_axes(exercise)
    counts = Counter(name for names in axes.values() for name in names if name)
    return [
        (index, k, name)
        for index, names in axes.items()
        for k, name in enumerate(names)
        if name and counts[name] == 1
    ]


def shortened(exercise: Exercise, contract: Sequence[Probe]) -> list[Probe]:
    """Random contract probes with one independently named axis one shorter."""
    found = []
    randoms = [p for p in contract if p.drawn is Family.RANDOM][-3:]  # the largest
    for index, k, name in independent_axes(exercise):
        for probe in randoms:
            arg = probe.args[index] if index < len(probe.args) else None
            if not isinstance(arg, torch.Tensor) or arg.dim() <= k or arg.shape[k] < 2:
                continue
            args = list(probe.args)
            args[index] = arg.narrow(k, 0, arg.shape[k] - 1).clone()
            try:
                expected = reference_output(exercise, tuple(args))
            except Exception:  # the shorter axis broke a relation between the inputs
                continue
            sizes = {**probe.sizes, name: arg.shape[k] - 1} if name in probe.sizes else probe.sizes
            found.append(
                replace(
                    probe,
                    args=tuple(args),
                    expected=expected,
                    sizes=sizes,
                    label=f"a case with {name} one shorter",
                )
            )
    return found
