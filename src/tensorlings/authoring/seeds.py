"""Does a verdict depend on the seed? Every declared mistake and every mutant must fail under
each of `SEED_COUNT` seeds, and the reference must pass under each.

Only the random probes change with the seed: the examples and the special inputs are the same
under every seed, so they are run once. Something caught by a fixed probe is caught under every
seed; anything else is run on the random contract probes of each seed. One that some seeds let
through is a `seed_dependent` finding that names it, lists the seeds, and shows the input that
caught it under another seed, to be added as a fixed input (a `SpecialInput`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from tensorlings.authoring.findings import SoundnessFinding
from tensorlings.authoring.judging import run_probe
from tensorlings.checker.compare import compare, dtype_word, with_article
from tensorlings.checker.mistakes import run_trusted
from tensorlings.checker.probes import Probe, random_probes
from tensorlings.exercise import Exercise

# A class graded twice draws two seeds: sixteen seeds leave a property that one draw in eight
# misses about a 12% chance of going unseen, and one in four about 1%.
SEED_COUNT = 16
_SHOWN_ENTRIES = 24  # a suggested input with more entries is described by its shape


@dataclass(frozen=True)
class SeedRun:
    """What one function gave under every seed: caught by a fixed probe (so under all), the
    seeds whose probes let it through, and a random probe that caught it under another seed."""

    fixed: bool
    passed: tuple[int, ...]
    shown: Probe | None

    @property
    def everywhere(self) -> bool:
        return self.fixed or not self.passed

    @property
    def nowhere(self) -> bool:
        return not self.fixed and self.shown is None


class SeedProbes:
    """The exercise's contract probes: the fixed ones once, the random ones of each seed."""

    def __init__(self, exercise: Exercise, contract: Sequence[Probe], seed: int = 0) -> None:
        self.exercise = exercise
        self.seeds = tuple(range(seed, seed + SEED_COUNT))
        self.fixed = [p for p in contract if not _random(p)]
        self._random: dict[int, list[Probe]] = {seed: [p for p in contract if _random(p)]}
        self.broken: dict[int, str] = {}  # seeds whose probes could not be made, and why

    def random(self, seed: int) -> list[Probe]:
        if seed not in self._random:
            try:
                made = random_probes(self.exercise, seed, self.exercise.tiers.fails)
            except Exception as error:  # the case maker or the reference raised on this draw
                self.broken[seed] = f"making its probes raised {type(error).__name__}: {error}"
                made = []  # reported once, by reference_findings; nothing to judge here
            self._random[seed] = made
        return self._random[seed]

    def run(self, function: Callable[..., Any], first_only: bool = False) -> SeedRun:
        """Judged on the fixed probes, then on the random ones of each seed (of the first seed
        only with `first_only`: most functions that pass it are harmless everywhere, and the
        caller looks for an input that shows them before paying for the other seeds)."""
        if _failing(self.exercise, function, self.fixed) is not None:
            return SeedRun(True, (), None)
        passed, shown = [], None
        for seed in self.seeds:
            if first_only and seed != self.seeds[0] and shown is None:
                break
            randoms = self.random(seed)
            if seed in self.broken:
                continue  # no probes to judge on: the reference's finding says why
            caught = _failing(self.exercise, function, randoms)
            if caught is None:
                passed.append(seed)
            elif shown is None or caught.size < shown.size:
                shown = caught  # the smallest input that shows it makes the best fixed input
        return SeedRun(False, tuple(passed), shown)


def _random(probe: Probe) -> bool:
    """Made from the seed: a random case, or a sampling probe (its distribution is drawn)."""
    return probe.seed is not None


def _failing(exercise: Exercise, function: Callable[..., Any], probes: list[Probe]) -> Probe | None:
    """The first probe that fails `function`. A raise or a wrong answer (values, shape, dtype
    under the output policy) fails the checker whatever else it judges, and is seen in a plain
    call, so every probe is tried so first; only where all answers are right is each judged in
    full (an input changed in place, wrong gradients), the gradient probes first."""
    for probe in probes:
        if _wrong_answer(exercise, function, probe):
            return probe
    for probe in sorted(probes, key=lambda p: not p.grad_args):
        if any(p.fails for p in run_probe(exercise, function, probe).problems):
            return probe
    return None


def _wrong_answer(exercise: Exercise, function: Callable[..., Any], probe: Probe) -> bool:
    outcome = run_trusted(function, probe)
    if outcome.error is not None:
        return True
    return compare(outcome.value, probe.expected, exercise.output) is not None


def finding(exercise: Exercise, what: str, run: SeedRun) -> SoundnessFinding:
    """`what` is caught under some seeds only: which ones let it through, and the fixed input."""
    assert run.shown is not None
    seeds = ", ".join(map(str, run.passed))
    return SoundnessFinding(
        exercise.id,
        "seed_dependent",
        f"{what} fails only on some random draws: under {len(run.passed)} of {SEED_COUNT} "
        f"seeds (seeds {seeds}) it passes every contract probe. It was caught on "
        f"{run.shown.label} ({_sizes(run.shown)}): {describe_args(run.shown.args)}.",
        "Add that input as a fixed one, so that it is judged whatever the seed: "
        f"SpecialInput(Family.{run.shown.family.name}, <label>, {describe_args(run.shown.args)})"
        " in special_inputs (or an Example).",
    )


def reference_finding(exercise: Exercise, seeds: Sequence[int], why: str) -> SoundnessFinding:
    return SoundnessFinding(
        exercise.id,
        "seed_dependent",
        f"the reference fails its own checker under seeds {', '.join(map(str, seeds))} of "
        f"{SEED_COUNT}: {why}",
        "Run the case maker and the reference under those seeds (`tensorlings check "
        "--reference --seed N`) and fix whichever is wrong: a correct answer must pass every "
        "draw.",
    )


def reference_findings(probes: SeedProbes) -> list[SoundnessFinding]:
    """The reference must make the probes of every seed. Its outputs are the expected values,
    so what it can get wrong on another draw is raising (or a case maker that raises); how it
    is judged (mutation, gradients, rules) does not change with the seed and is checked once."""
    for seed in probes.seeds:
        probes.random(seed)
    if not probes.broken:
        return []
    why = next(iter(probes.broken.values()))
    return [reference_finding(probes.exercise, list(probes.broken), why)]


def _sizes(probe: Probe) -> str:
    sizes = ", ".join(f"{k}={v}" for k, v in probe.sizes.items())
    seed = f"seed {probe.seed}" if probe.seed is not None else "a fixed input"
    return f"{seed}, {sizes}" if sizes else seed


def describe_args(args: tuple[Any, ...]) -> str:
    """The arguments as Python an author can paste: small tensors in full, others by shape."""
    parts = [_describe(a) for a in args]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _describe(value: Any) -> str:
    if not isinstance(value, torch.Tensor):
        return repr(value)
    dtype = dtype_word(value.dtype)
    if value.numel() > _SHOWN_ENTRIES:
        return f"<{with_article(f'{dtype} tensor of shape {tuple(value.shape)}')}>"
    values = value.detach().tolist()
    return f"torch.tensor({values!r}, dtype=torch.{dtype})"
