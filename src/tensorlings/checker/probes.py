"""The inputs an exercise is checked on, with the reference's answers, all made in the checker.

Probes come in kinds: the sheet's own examples, random cases (smallest first, so that the first
failure is already small), other dtypes, large magnitudes for the numerics, and gradient cases.
Every random probe is reproducible from its seed and named sizes.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from tensorlings.exercise import Draw, Exercise, RandomCases

LARGE = 80.0  # float32 exp() overflows just above 88


@dataclass(frozen=True)
class Probe:
    label: str
    kind: str  # example | random | stress | grad
    args: tuple[Any, ...]
    expected: Any
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
        if self.kind == "stress":
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
    return exercise.solution(*clone_args(args))


def draw_sizes(cases: RandomCases, rng: random.Random, growth: float) -> dict[str, int]:
    """Sizes within each range, biased small early on (growth runs from 0 to 1)."""
    sizes = {}
    for name, (low, high) in cases.sizes.items():
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
    kind: str = "random",
) -> Probe:
    cases = exercise.cases
    assert cases is not None
    scale = cases.stress_scale if kind == "stress" and cases.stress_scale else 1.0
    args = make_case(exercise, seed, sizes, dtype, scale)
    label = {"random": "a random case", "stress": "large magnitudes", "grad": "gradients"}[kind]
    return Probe(
        label=label,
        kind=kind,
        args=args,
        expected=reference_output(exercise, args),
        seed=seed,
        sizes=dict(sizes),
        dtype=dtype,
    )


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
    """Every probe of a function exercise, in the order they are judged."""
    probes = [
        Probe(
            label=f"the sheet's example {n}"
            if len(exercise.examples) > 1
            else "the sheet's example",
            kind="example",
            args=example.args,
            expected=reference_output(exercise, example.args),
        )
        for n, example in enumerate(exercise.examples, start=1)
    ]
    cases = exercise.cases
    if cases is None:
        return probes
    rng = random.Random(seed)
    randoms = []
    for i in range(cases.count):
        dtype = cases.dtypes[i % len(cases.dtypes)]
        sizes = draw_sizes(cases, rng, growth=min(1.0, (i + 1) / max(1, cases.count - 2)))
        randoms.append(random_probe(exercise, seed * 1000 + i, sizes, dtype))
    probes += sorted(randoms, key=lambda p: p.size)
    if cases.stress_scale:
        for i, dtype in enumerate(cases.dtypes):
            sizes = draw_sizes(cases, rng, growth=0.5)
            probes.append(random_probe(exercise, seed * 1000 + 500 + i, sizes, dtype, "stress"))
    if cases.grad_args:
        for i in range(2):
            sizes = {name: max(low, min(high, 3)) for name, (low, high) in cases.sizes.items()}
            base = random_probe(exercise, seed * 1000 + 900 + i, sizes, torch.float64, "grad")
            probes.append(with_gradients(exercise, base))
    return probes


def shrink_candidates(exercise: Exercise, probe: Probe) -> list[Probe]:
    """Smaller versions of a failing random probe: each size at its minimum, halved, minus one."""
    cases = exercise.cases
    if cases is None or probe.kind not in ("random", "stress") or probe.seed is None:
        return []
    assert probe.dtype is not None
    candidates: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}
    for name, (low, _high) in cases.sizes.items():
        current = probe.sizes[name]
        for smaller in (low, current // 2, current - 1):
            if low <= smaller < current:
                sizes = {**probe.sizes, name: smaller}
                candidates[tuple(sorted(sizes.items()))] = sizes
    return [
        random_probe(exercise, probe.seed, sizes, probe.dtype, probe.kind)
        for sizes in candidates.values()
    ]
