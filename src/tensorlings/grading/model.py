"""What the reports are made from: one check report per named submission, and the run's facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata

from tensorlings.checker.results import CheckReport, FileError
from tensorlings.grading.config import GradingConfig
from tensorlings.vocab import Status
from tensorlings.workbook_choice import WorkbookChoice

# Odd uploads, flagged in every report (see flags.py for what each means).
FLAGS = (
    "empty", "not_a_workbook", "untouched_template", "no_code", "unreadable", "foreign_pack",
)  # fmt: skip


@dataclass(frozen=True)
class Graded:
    """A submission's name (its row, its results file), the check report it got, and what
    kind of odd upload it is (None for an ordinary workbook)."""

    submission: str
    report: CheckReport
    flag: str | None = None
    choice: WorkbookChoice | None = None  # the folder held both workbooks: which was graded
    # The pack's first hints for each failed exercise (id -> hints), for the feedback file.
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def choice_note(self) -> str:
        """The choice between two workbooks in a sentence, or "" when there was none."""
        return self.choice.note("the submission") if self.choice is not None else ""

    @property
    def could_not_check(self) -> bool:
        return self.report.error is not None

    @property
    def attempted_nothing(self) -> bool:
        """Checked, but every exercise is still the template (a blank submission)."""
        exercises = self.report.exercises
        return not self.could_not_check and all(r.status == Status.NOT_STARTED for r in exercises)

    @property
    def failed_something(self) -> bool:
        return any(result.status == Status.FAILED for result in self.report.exercises)


@dataclass(frozen=True)
class Isolation:
    """How isolated the run's checks were: `full` only when every layer of the sandbox was on."""

    full: bool = True
    weak_allowed: bool = False  # --allow-weak-isolation was given
    missing: tuple[str, ...] = ()  # the layers that were not active, as the checker names them

    def warning(self) -> str | None:
        if self.full:
            return None
        missing = ", ".join(self.missing) if self.missing else "not reported by the checker"
        return (
            "These results were graded WITHOUT the full sandbox (--allow-weak-isolation); "
            f"missing layers: {missing}. A determined student could have interfered with "
            "the checks; re-grade on a machine with the full sandbox before relying on them."
        )


@dataclass(frozen=True)
class ClassContext:
    """What every class report states besides the results: scoring, seed, isolation."""

    config: GradingConfig = field(default_factory=GradingConfig)
    seed: int | None = None
    isolation: Isolation = field(default_factory=Isolation)
    generator: str = "tensorlings"
    # The pack every workbook was checked against ("NAME VERSION" from --pack), or how it was
    # chosen when each workbook named its own.
    pack: str = "each workbook's header (the sheet where there is none)"


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
