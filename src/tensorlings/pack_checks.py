"""Where pack authors import the checks of `tensorlings pack check` from (docs/authoring.md);
they live in tensorlings.authoring.pack_checks."""

from tensorlings.authoring.pack_checks import (
    FindingJSON,
    PackCheckJSON,
    PackFinding,
    check_pack,
    checker_findings,
    example_findings,
    field_findings,
    pack_report,
    soundness_findings,
)

__all__ = [
    "FindingJSON",
    "PackCheckJSON",
    "PackFinding",
    "check_pack",
    "checker_findings",
    "example_findings",
    "field_findings",
    "pack_report",
    "soundness_findings",
]
