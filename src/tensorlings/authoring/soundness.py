"""`pack check`: the author's proof that each exercise of a pack is sound.

    report = check_pack(exercises)
    for line in render_lines(report): print(line)
    exit_code = 0 if report.clean else 1   # the caller decides

Checks, per exercise: a unique id; a prompt, hints and (where the kind has them) examples; a
generated stub that reads as not started; a reference that agrees with its examples, passes
every probe as the checker judges a learner, and keeps its own rules; every declared mistake
failing with its name in the message; and the mutation audit (`audit.py`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from tensorlings.authoring import seeds, static_checks
from tensorlings.authoring.audit import audit_exercise
from tensorlings.authoring.findings import AuditCount, PackReport, SoundnessFinding
from tensorlings.authoring.reference import planned, reference_findings
from tensorlings.checker.strategies import strategy_for
from tensorlings.exercise import Exercise


def check_exercise(
    exercise: Exercise, seed: int = 0
) -> tuple[list[SoundnessFinding], AuditCount | None]:
    """Every finding about one exercise, and its audit's counts (None: not a function)."""
    try:
        return _check_exercise(exercise, seed)
    except Exception as error:  # a broken exercise must not hide the rest of the pack
        return [
            SoundnessFinding(
                exercise.id,
                "engine_error",
                f"checking this exercise raised {type(error).__name__}: {error}",
                "Run the reference, the case maker and each mistake by hand on the examples; "
                "if they work, this is a bug in pack check: report it with the exercise.",
            )
        ], None


def _check_exercise(
    exercise: Exercise, seed: int
) -> tuple[list[SoundnessFinding], AuditCount | None]:
    found = static_checks.text_findings(exercise) + static_checks.stub_findings(exercise)
    found += static_checks.unused_size_findings(exercise)
    probes, broken = planned(exercise, seed)
    if broken:
        return found + broken, None
    found += reference_findings(exercise, probes)
    found += static_checks.mistake_findings(exercise)
    compared = strategy_for(exercise.judge).compares_outputs
    if not compared or any(f.kind == "reference_fails" for f in found):
        return found, None
    by_seed = seeds.SeedProbes(
        exercise, [p for p in probes if exercise.tiers.fails(p.family)], seed
    )
    found += seeds.reference_findings(by_seed)
    found = _seed_dependent_mistakes(exercise, by_seed, found)
    audit_found, count = audit_exercise(exercise, probes, by_seed)
    return found + audit_found, count


def _seed_dependent_mistakes(
    exercise: Exercise, by_seed: seeds.SeedProbes, found: list[SoundnessFinding]
) -> list[SoundnessFinding]:
    """Each declared mistake must fail under every seed, not only under the first. One that
    passes the first seed but not every other is seed-dependent rather than harmless: its
    `mistake_passes` finding gives way to the `seed_dependent` one, which shows the input."""
    for mistake in exercise.mistakes:
        run = by_seed.run(mistake.run)
        if run.everywhere or run.nowhere:
            continue
        found = [f for f in found if not _passes(f, mistake.name)]
        found.append(seeds.finding(exercise, f"the declared mistake {mistake.name!r}", run))
    return found


def _passes(finding: SoundnessFinding, name: str) -> bool:
    return finding.kind == "mistake_passes" and f"mistake {name!r} passes" in finding.message


def check_pack(exercises: Sequence[Exercise], seed: int = 0) -> PackReport:
    started = time.perf_counter()
    findings = static_checks.duplicate_ids(exercises)
    audits = []
    for exercise in exercises:
        found, count = check_exercise(exercise, seed)
        findings += found
        if count is not None:
            audits.append(count)
    return PackReport(tuple(findings), tuple(audits), len(exercises), time.perf_counter() - started)
