"""The mutation audit of one function exercise: derive mutants of the reference, judge each
on the contract probes as the checker would, and report every one that passes although some
input inside the exercise's domain tells it from the reference, with the likely cause."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from tensorlings.authoring import seeds, witnesses
from tensorlings.authoring.causes import Cause, causes, only_examples
from tensorlings.authoring.findings import AuditCount, SoundnessFinding
from tensorlings.authoring.judging import first_failure
from tensorlings.authoring.mutations import Mutant, derive
from tensorlings.checker.compare import compare
from tensorlings.checker.mistakes import run_trusted
from tensorlings.checker.probes import Probe
from tensorlings.exercise import Exercise, Family


def _allowed_dtype(exercise: Exercise, mutant: Mutant, first: Probe) -> bool:
    """A cast the output policy accepts (`any floating dtype`, say) is not a mistake, as long
    as the cast keeps the values (an int64 cast that truncates is judged like any mutant)."""
    if mutant.kind != "cast" or not isinstance(first.expected, torch.Tensor):
        return False
    outcome = run_trusted(mutant.function, first)
    cast = outcome.value
    if not isinstance(cast, torch.Tensor):
        return False
    return compare(cast, first.expected, exercise.output) is None


def _not_applicable(mutant: Mutant, first: Probe) -> bool:
    """A mutant that raises on the first probe (a shape mismatch) is no version of the code."""
    return run_trusted(mutant.function, first).error is not None


class _Audit:
    def __init__(self, exercise: Exercise, contract: Sequence[Probe]) -> None:
        self.exercise = exercise
        self.contract = list(contract)
        self._witnesses: list[Probe] | None = None

    @property
    def witnesses(self) -> list[Probe]:
        if self._witnesses is None:  # made only when a mutant survives: most never do
            self._witnesses = witnesses.drawn(self.exercise) + witnesses.shortened(
                self.exercise, self.contract
            )
        return self._witnesses

    def shown_by(self, mutant: Mutant) -> Probe | None:
        for probe in self.witnesses:
            if first_failure(self.exercise, mutant.function, [probe]) is not None:
                return probe
        return None

    def unwitnessed(self, mutant: Mutant) -> Cause | None:
        """A weakness that needs no input to show it: a function of arguments probed on one
        input only, or gradients in the contract that no probe checks."""
        if mutant.kind == "first_answer" and not any(
            p.family is Family.RANDOM for p in self.contract
        ):
            return only_examples(self.contract)
        if mutant.kind == "detach" and not any(p.grad_args for p in self.contract):
            return Cause(
                "gradients are part of the contract, but no contract probe checks them",
                "set cases.grad_args to the floating tensor arguments, with a floating dtype "
                "among cases.dtypes (or take gradients out of the tiers' contract)",
            )
        return None

    def finding(
        self, mutant: Mutant, witness: Probe | None, cause: Cause | None
    ) -> SoundnessFinding:
        if cause is not None:
            found = [cause]
            where = ""
        elif witness is None:
            raise ValueError("a surviving mutant needs a witness or a cause")
        else:
            found = causes(self.exercise, self.contract, witness) or [
                Cause(
                    "no contract case shows the difference",
                    "add this input as an example or a special input, or widen the cases",
                )
            ]
            sizes = ", ".join(f"{k}={v}" for k, v in witness.sizes.items())
            where = (
                f" ({witness.label}" + (f", {sizes}" if sizes else "") + ", shows the difference)"
            )
        return SoundnessFinding(
            self.exercise.id,
            "mutant_survives",
            f"a wrong version passes the checker: {mutant.label}. Likely cause: "
            f"{'; and '.join(c.text for c in found)}{where}.",
            _sentence("; ".join(dict.fromkeys(c.advice for c in found))),
        )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def audit_exercise(
    exercise: Exercise, probes: Sequence[Probe], by_seed: seeds.SeedProbes | None = None
) -> tuple[list[SoundnessFinding], AuditCount]:
    """Every mutant judged under each seed (`seeds.SEED_COUNT`): caught under all is counted,
    caught under some is `seed_dependent`, caught under none is looked into here."""
    contract = [p for p in probes if exercise.tiers.fails(p.family)]
    if not contract:
        return [], AuditCount(exercise.id, 0, 0, 0)
    by_seed = by_seed or seeds.SeedProbes(exercise, contract)
    audit = _Audit(exercise, contract)
    findings: list[SoundnessFinding] = []
    tried = caught = skipped = 0
    for mutant in derive(exercise, contract):
        if _allowed_dtype(exercise, mutant, contract[0]) or _not_applicable(mutant, contract[0]):
            skipped += 1
            continue
        run = by_seed.run(mutant.function, first_only=True)
        if run.everywhere:
            tried, caught = tried + 1, caught + 1
            continue
        cause = audit.unwitnessed(mutant)
        witness = None if cause else audit.shown_by(mutant)
        if run.nowhere and cause is None and witness is None:
            skipped += 1  # the same answer on every input we can make: nothing to catch
            continue
        tried += 1
        if run.nowhere and cause is None:
            run = by_seed.run(mutant.function)  # not harmless: do other seeds catch it?
        if not run.nowhere:
            findings.append(seeds.finding(exercise, f"the mutant {mutant.label!r}", run))
            continue
        findings.append(audit.finding(mutant, witness, cause))
    return findings, AuditCount(exercise.id, tried, caught, skipped)
