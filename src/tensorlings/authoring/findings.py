"""What `pack check` finds: frozen records, with their text and JSON views kept separate.

A SoundnessFinding says which exercise, what kind of unsoundness, what was seen and how to fix
it. The report also says, per exercise, how many mutants the audit tried, so that a clean report is
visibly the result of work done rather than of nothing run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

SCHEMA = "tensorlings.pack_check/1"

# Every kind a finding can have; docs/pack-check.md explains each one and its fix.
KINDS = (
    "duplicate_id",
    "missing_prompt",
    "missing_hints",
    "missing_examples",
    "stub_judged_started",
    "reference_fails",
    "reference_breaks_rules",
    "mistake_passes",
    "mistake_unnamed",
    "mutant_survives",
    "seed_dependent",
    "engine_error",
)


@dataclass(frozen=True)
class SoundnessFinding:
    """One reason an exercise is not sound, with the fix to try."""

    exercise_id: str
    kind: str
    message: str
    advice: str

    def to_json(self) -> dict[str, str]:
        return {
            "exercise": self.exercise_id,
            "kind": self.kind,
            "message": self.message,
            "advice": self.advice,
        }


@dataclass(frozen=True)
class AuditCount:
    """The mutation audit's work on one exercise: mutants that differ from the reference
    somewhere (tried), how many of those the checker failed (caught), and how many never
    differ from it on any input the audit could make, or only in a way the output policy
    accepts (skipped: nothing to catch)."""

    exercise_id: str
    tried: int
    caught: int
    skipped: int

    @property
    def survived(self) -> int:
        return self.tried - self.caught

    def to_json(self) -> AuditJSON:
        return {
            "exercise": self.exercise_id,
            "tried": self.tried,
            "caught": self.caught,
            "survived": self.survived,
            "skipped": self.skipped,
        }


class AuditJSON(TypedDict):
    """The mutation audit's counts on one exercise: mutants tried, caught, survived, and
    skipped (never differ from the reference)."""

    exercise: str
    tried: int
    caught: int
    survived: int
    skipped: int


@dataclass(frozen=True)
class PackReport:
    findings: tuple[SoundnessFinding, ...]
    audits: tuple[AuditCount, ...]
    exercises: int
    seconds: float

    @property
    def clean(self) -> bool:
        return not self.findings


def render_lines(report: PackReport, verbose: bool = False) -> list[str]:
    """One line per finding (`id: kind: message Fix: advice`), then a summary line; with
    `verbose`, one line per exercise with the audit's counts."""
    lines = [f"{f.exercise_id}: {f.kind}: {f.message} Fix: {f.advice}" for f in report.findings]
    if verbose:
        lines += [
            f"{a.exercise_id}: {a.tried} mutants tried, {a.caught} caught, {a.survived} "
            f"survived, {a.skipped} skipped" for a in report.audits
        ]  # fmt: skip
    lines.append(summary(report))
    return lines


def summary(report: PackReport) -> str:
    tried = sum(a.tried for a in report.audits)
    caught = sum(a.caught for a in report.audits)
    verdict = "sound" if report.clean else f"{len(report.findings)} finding(s)"
    return (
        f"{report.exercises} exercises checked in {report.seconds:.1f} s: {verdict}; mutation "
        f"audit caught {caught} of {tried} mutants over {len(report.audits)} function exercises"
    )


def to_json(report: PackReport) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "clean": report.clean,
        "exercises": report.exercises,
        "seconds": round(report.seconds, 3),
        "findings": [f.to_json() for f in report.findings],
        "audit": [a.to_json() for a in report.audits],
    }


def by_kind(findings: Sequence[SoundnessFinding], kind: str) -> list[SoundnessFinding]:
    return [f for f in findings if f.kind == kind]
