"""What the reports are made from: one check report per named submission."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from tensorlings.checker.results import CheckReport, FileError


@dataclass(frozen=True)
class Graded:
    """A submission's name (its row, its results file) and the check report it got."""

    submission: str
    report: CheckReport

    @property
    def could_not_check(self) -> bool:
        return self.report.error is not None

    @property
    def attempted_nothing(self) -> bool:
        """Checked, but every exercise is still the template (a blank submission)."""
        exercises = self.report.exercises
        return not self.could_not_check and all(r.status == "not_started" for r in exercises)

    @property
    def failed_something(self) -> bool:
        return any(result.status == "failed" for result in self.report.exercises)


def error_report(file: str, kind: str, message: str, *, seed: int, device: str) -> CheckReport:
    """The report of a submission that could not be checked (kind: one of FILE_ERROR_KINDS)."""
    return CheckReport(
        file=file,
        seed=seed,
        torch=_torch_version(),
        device=device,
        error=FileError(kind, message),
        exercises=(),
    )


def _torch_version() -> str:
    # Read from the installed metadata: the grading process itself never imports torch.
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "unknown"
