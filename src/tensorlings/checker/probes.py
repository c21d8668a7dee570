"""The inputs an exercise is checked on, with the reference's answers, all made in the checker.

Probes come in families (`tensorlings.vocab.ProbeFamily`): the sheet's own examples, random
cases of the sheet's sizes and dtypes (smallest first, so that the first failure is already
small), large magnitudes for the numerics, gradient cases, and the families beyond the sheet:
empty inputs, other dtypes, fixed special inputs. A random case also says which family it was
drawn as (RANDOM, LARGE or GRADIENTS: how its inputs are made), since its traits can move it
to another family (a size of 0 makes it EMPTY). The exercise's tiers say which families fail it.
Contract probes come first; every random probe is reproducible from its seed and named sizes.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from tensorlings.exercise import Draw, Exercise, Family, RandomCases

LARGE = 80.0  # float32 exp() overflows just above 88


@dataclass(frozen=True)
class Probe:
    label: str
    args: tuple[Any, ...]
    expected: Any
    family: Family = Family.RANDOM  # which tier judges it
    # How a random case was drawn (RANDOM, LARGE: scaled up, GRADIENTS); None: a fixed input
    # (an example, a special input, a sampling or answer probe), the same under every seed.
    drawn: Family | None = None
    seed: int | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)
    dtype: torch.dtype | None = None
    grad_args: tuple[int, ...] = ()
    grad_seed: torch.Tensor | None = None
    expected_grads: Mapping[int, torch.Tensor | None] = field(default_factory=dict)

    @property
    def large(self) -> bool:
        """Large magnitudes: a stress probe, or finite inputs as big as the sheet's ±1000 rows,
        where exp() overflows. Failing only there is instability, not a wrong formula."""
        if self.drawn is Family.LARGE:
            return True
        floats = [a for a in self.args if isinstance(a, torch.Tensor) and a.is_floating_point()]
        return any(
            a.numel() > 0 and bool(a.isfinite().all()) and float(a.abs().max()) >= LARGE
            for a in floats
        )

    @property
    def size(self) -> int:
        return sum(a.numel() for a in self.args if isinstance(a, torch.Tensor)) + sum(
            self.sizes.values()
        )


def clone_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def reference_output(exercise: Exercise, args: tuple[Any, ...]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ours: its warnings would reach the learner's terminal
        return exercise.solution(*clone_args(args))


def draw_sizes(cases: RandomCases, rng: random.Random, growth: float) -> dict[str, int]:
    """Sizes within each range, biased small early on (growth runs from 0 to 1)."""
    sizes = {}
    for name, (_, high) in cases.sizes.items():
        low = min(contract_low(cases, name), high)
        top = low + round((high - low) * growth)
        sizes[name] = rng.randint(low, max(low, top))
    return sizes


def make_case(
    exercise: Exercise, seed: int, sizes: Mapping[str, int], dtype: torch.dtype, scale: float
) -> tuple[Any, ...]:
    assert exercise.cases is not None
    generator = torch.Generator().manual_seed(seed)
    return exercise.cases.make(Draw(generator, sizes, dtype, scale))


def random_probe(
    exercise: Exercise,
    seed: int,
    sizes: Mapping[str, int],
    dtype: torch.dtype,
    drawn: Family = Family.RANDOM,
    family: Family | None = None,
) -> Probe:
    cases = exercise.cases
    assert cases is not None
    scale = cases.stress_scale if drawn is Family.LARGE and cases.stress_scale else 1.0
    args = make_case(exercise, seed, sizes, dtype, scale)
    return Probe(
        label=_DRAWN_LABELS[drawn],
        drawn=drawn,
        args=args,
        expected=reference_output(exercise, args),
        seed=seed,
        sizes=dict(sizes),
        dtype=dtype,
        family=family or family_of(cases, drawn, sizes, dtype),
    )


_DRAWN_LABELS = {
    Family.RANDOM: "a random case",
    Family.LARGE: "large magnitudes",
    Family.GRADIENTS: "gradients",
}


def family_of(
    cases: RandomCases, drawn: Family, sizes: Mapping[str, int], dtype: torch.dtype
) -> Family:
    """The family a random probe belongs to: beyond-the-sheet traits win over how it was drawn."""
    if any(value == 0 for value in sizes.values()):
        return Family.EMPTY
    if dtype not in cases.dtypes:
        return Family.OTHER_DTYPES
    return drawn


def contract_low(cases: RandomCases, name: str) -> int:
    """The smallest value a size takes in a contract case: 0 is the `empty` family's."""
    return max(1, cases.sizes[name][0])


def with_gradients(exercise: Exercise, probe: Probe) -> Probe:
    """The probe with requires_grad inputs, a random output weighting and the reference grads."""
    assert exercise.cases is not None
    grad_args = tuple(
        i
        for i in exercise.cases.grad_args
        if isinstance(probe.args[i], torch.Tensor) and probe.args[i].dtype.is_floating_point
    )
    expected = probe.expected
    if not grad_args or not isinstance(expected, torch.Tensor) or not expected.is_floating_point():
        return probe
    generator = torch.Generator().manual_seed((probe.seed or 0) + 7)
    grad_seed = torch.randn(expected.shape, generator=generator, dtype=expected.dtype)
    args = [a.clone() if isinstance(a, torch.Tensor) else a for a in probe.args]
    for i in grad_args:
        args[i].requires_grad_(True)
    out = exercise.solution(*args)
    (out * grad_seed).sum().backward()
    grads = {i: args[i].grad for i in grad_args}
    return replace(probe, grad_args=grad_args, grad_seed=grad_seed, expected_grads=grads)


def plan(exercise: Exercise, seed: int) -> list[Probe]:
    """Every probe of a function exercise, in the order they are judged: the contract first."""
    probes = [
        Probe(
            label=f"the sheet's example {n}"
            if len(exercise.examples) > 1
            else "the sheet's example",
            args=example.args,
            expected=reference_output(exercise, example.args),
            family=Family.EXAMPLES,
        )
        for n, example in enumerate(exercise.examples, start=1)
    ]
    cases = exercise.cases
    if cases is not None:
        probes += _random_probes(exercise, cases, seed)
    probes += [
        Probe(
            label=special.label,
            args=special.args,
            expected=reference_output(exercise, special.args),
            family=special.family,
        )
        for special in exercise.special_inputs
    ]
    return sorted(probes, key=lambda p: not exercise.tiers.fails(p.family))  # stable


def random_probes(
    exercise: Exercise, seed: int, keep: Callable[[Family], bool] = lambda family: True
) -> list[Probe]:
    """The random probes of `plan` alone, those of the families `keep` accepts (the others are
    not made: the sizes are drawn all the same, so each kept probe is exactly plan's)."""
    if exercise.cases is None:
        return []
    return _random_probes(exercise, exercise.cases, seed, keep)


def _random_probes(
    exercise: Exercise,
    cases: RandomCases,
    seed: int,
    keep: Callable[[Family], bool] = lambda family: True,
) -> list[Probe]:
    rng = random.Random(seed)

    def made(
        probe_seed: int,
        sizes: Mapping[str, int],
        dtype: torch.dtype,
        drawn: Family = Family.RANDOM,
        family: Family | None = None,
    ) -> list[Probe]:
        if not keep(family or family_of(cases, drawn, sizes, dtype)):
            return []  # its sizes are drawn all the same: the next probes stay plan's own
        return [random_probe(exercise, probe_seed, sizes, dtype, drawn, family)]

    randoms = []
    for i in range(cases.count):
        dtype = cases.dtypes[i % len(cases.dtypes)]
        sizes = draw_sizes(cases, rng, growth=min(1.0, (i + 1) / max(1, cases.count - 2)))
        randoms += made(seed * 1000 + i, sizes, dtype)
    probes = sorted(randoms, key=lambda p: p.size)
    if cases.stress_scale:
        for i, dtype in enumerate(cases.dtypes):
            sizes = draw_sizes(cases, rng, growth=0.5)
            probes += made(seed * 1000 + 500 + i, sizes, dtype, Family.LARGE)
    if cases.grad_args:
        small = {name: min(high, max(contract_low(cases, name), 3)) for name, (_, high) in
                 cases.sizes.items()}  # fmt: skip
        floating = [d for d in (*cases.dtypes, *cases.other_dtypes) if d.is_floating_point]
        for i in range(2):
            dtype = (floating or [torch.float32])[0]
            base = made(seed * 1000 + 900 + i, small, dtype, Family.GRADIENTS, Family.GRADIENTS)
            probes += [with_gradients(exercise, p) for p in base]
    for i, name in enumerate(n for n, (low, _) in cases.sizes.items() if low == 0):
        sizes = {**draw_sizes(cases, rng, growth=0.3), name: 0}
        probes += made(seed * 1000 + 700 + i, sizes, cases.dtypes[0])
    for i, dtype in enumerate(cases.other_dtypes):
        for j in range(2):
            sizes = draw_sizes(cases, rng, growth=0.5)
            probe_seed = seed * 1000 + 800 + 10 * i + j
            probes += made(probe_seed, sizes, dtype)
            if cases.stress_scale and j == 0:
                probes += made(probe_seed + 5, sizes, dtype, Family.LARGE)
    return probes


def shrink_candidates(exercise: Exercise, probe: Probe) -> list[Probe]:
    """Smaller versions of a failing random probe: each size at its minimum, halved, minus one."""
    cases = exercise.cases
    if cases is None or probe.drawn not in (Family.RANDOM, Family.LARGE) or probe.seed is None:
        return []
    assert probe.dtype is not None
    candidates: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}
    for name, (low, _high) in cases.sizes.items():
        current = probe.sizes[name]
        # Shrinking stays in the probe's family: a contract case never shrinks to an empty one.
        floor = low if probe.family is Family.EMPTY else contract_low(cases, name)
        for smaller in (floor, current // 2, current - 1):
            if floor <= smaller < current:
                sizes = {**probe.sizes, name: smaller}
                candidates[tuple(sorted(sizes.items()))] = sizes
    shrunk = [
        random_probe(exercise, probe.seed, sizes, probe.dtype, probe.drawn)
        for sizes in candidates.values()
    ]
    return [p for p in shrunk if p.family is probe.family]
