"""What a check produces: frozen data. Console, JSON and grading reports are views of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal, TypedDict

from tensorlings.vocab import ProblemKind, Status

SCHEMA: Final = "tensorlings.check/1"

# The kinds a report shows (a not-run call is never one: it is dropped or becomes a timeout).
PROBLEM_KINDS = tuple(k for k in ProblemKind if k is not ProblemKind.NOT_RUN)
STATUSES = tuple(Status)
FILE_ERROR_KINDS = ("syntax_error", "import_error", "exited", "crashed", "unreadable")


class _ProblemJSON(TypedDict):
    """One problem of an exercise: what is wrong, and (where known) the call that shows it."""

    kind: ProblemKind
    message: str


class ProblemJSON(_ProblemJSON, total=False):
    """One problem of an exercise: what is wrong, and (where known) the call that shows it."""

    call: str
    seed: int
    line: int
    mistake: str  # the named mistake the output was recognised as
    details: dict[str, Any]
    fails: Literal[False]  # present only on a note that does not fail the exercise


class _ExerciseJSON(TypedDict):
    id: str
    section: str
    status: Status
    problems: list[ProblemJSON]
    duration_s: float


class ExerciseJSON(_ExerciseJSON, total=False):
    """One exercise's verdict."""

    output: str  # what the learner's code printed while it was checked (capped)
    explanation: str  # shown once a question is answered right


class FileErrorJSON(TypedDict):
    """What prevented checking the file at all."""

    kind: str  # syntax_error | import_error | exited | crashed | unreadable
    message: str
    line: int | None


class LoadNoteJSON(TypedDict):
    """A top-level statement that failed or was skipped while loading; loading went on."""

    line: int
    kind: str
    message: str


class SummaryJSON(TypedDict):
    """How many exercises ended in each status."""

    passed: int
    failed: int
    not_started: int
    total: int


class CheckJSON(TypedDict):
    """A check of one workbook: `tensorlings check --json`."""

    schema: Literal["tensorlings.check/1"]
    file: str
    seed: int
    torch: str
    device: str
    error: FileErrorJSON | None
    load_notes: list[LoadNoteJSON]
    isolation: dict[str, Any]  # the sandbox's layers, as the checker found them
    exercises: list[ExerciseJSON]
    summary: SummaryJSON


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an exercise, with the call that shows it."""

    kind: ProblemKind
    message: str
    call: str | None = None  # the call that shows it, e.g. "column_means(x=…)"
    seed: int | None = None  # reproduces the random case
    line: int | None = None  # in the learner's file
    details: Mapping[str, Any] = field(default_factory=dict)
    fails: bool = True  # coach advice and edge-case notes do not fail the exercise
    # The named mistake the output was recognised as (an exercise's known mistake, or a generic
    # one such as "transposed output"); grading groups submissions by it.
    mistake: str | None = None

    def __post_init__(self) -> None:
        # A kind given as its string (an older caller, a test) is held as the enum all the same.
        object.__setattr__(self, "kind", ProblemKind(self.kind))

    def to_json(self) -> ProblemJSON:
        data: ProblemJSON = {"kind": self.kind, "message": self.message}
        if self.call is not None:
            data["call"] = self.call
        if self.seed is not None:
            data["seed"] = self.seed
        if self.line is not None:
            data["line"] = self.line
        if self.mistake is not None:
            data["mistake"] = self.mistake
        if self.details:
            data["details"] = dict(self.details)
        if not self.fails:
            data["fails"] = False
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Problem:
        return cls(
            kind=ProblemKind(data["kind"]),
            message=str(data["message"]),
            call=data.get("call"),
            seed=data.get("seed"),
            line=data.get("line"),
            mistake=data.get("mistake"),
            details=dict(data.get("details", {})),
            fails=bool(data.get("fails", True)),
        )


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    section: str
    status: Status
    problems: tuple[Problem, ...] = ()
    duration_s: float = 0.0
    output: str = ""  # what the learner's code printed while it was checked (capped)
    explanation: str | None = None  # shown once a question is answered right

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

    @property
    def notes(self) -> tuple[Problem, ...]:
        """What does not fail the exercise: edge-case notes and the coach's advice."""
        return tuple(p for p in self.problems if not p.fails)

    def strict(self) -> ExerciseResult:
        """The result with its edge-case notes failing too (`--strict`)."""
        problems = tuple(
            replace(
                p,
                fails=True,
                message="with --strict this fails: " + p.message.removeprefix("passes, but "),
            )
            if p.kind is ProblemKind.EDGE_CASE
            else p
            for p in self.problems
        )
        failing = self.status is Status.FAILED or any(p.fails for p in problems)
        return replace(self, problems=problems, status=Status.FAILED if failing else self.status)

    def to_json(self) -> ExerciseJSON:
        data: ExerciseJSON = {
            "id": self.id,
            "section": self.section,
            "status": self.status,
            "problems": [p.to_json() for p in self.problems],
            "duration_s": round(self.duration_s, 4),
        }
        if self.output:
            data["output"] = self.output
        if self.explanation:
            data["explanation"] = self.explanation
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExerciseResult:
        return cls(
            id=str(data["id"]),
            section=str(data["section"]),
            status=Status(data["status"]),
            problems=tuple(Problem.from_json(p) for p in data.get("problems", [])),
            duration_s=float(data.get("duration_s", 0.0)),
            output=str(data.get("output", "")),
            explanation=data.get("explanation"),
        )


@dataclass(frozen=True)
class FileError:
    """What prevented checking the file at all."""

    kind: str  # syntax_error | import_error | exited | crashed | unreadable
    message: str
    line: int | None = None

    def to_json(self) -> FileErrorJSON:
        return {"kind": self.kind, "message": self.message, "line": self.line}


@dataclass(frozen=True)
class LoadNote:
    """A top-level statement that failed or was skipped while loading; loading went on."""

    line: int
    kind: (
        str  # import_error | exception | exited | timeout | crashed | notebook_line | syntax_error
    )
    message: str

    def to_json(self) -> LoadNoteJSON:
        return {"line": self.line, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class CheckReport:
    file: str
    seed: int
    torch: str
    device: str
    error: FileError | None
    exercises: tuple[ExerciseResult, ...]
    load_notes: tuple[LoadNote, ...] = ()
    isolation: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> SummaryJSON:
        statuses = [result.status for result in self.exercises]
        return {
            "passed": statuses.count(Status.PASSED),
            "failed": statuses.count(Status.FAILED),
            "not_started": statuses.count(Status.NOT_STARTED),
            "total": len(statuses),
        }

    def strict(self) -> CheckReport:
        """The report with every edge-case note failing its exercise (`--strict`)."""
        return replace(self, exercises=tuple(r.strict() for r in self.exercises))

    @property
    def exit_code(self) -> int:
        """0 nothing failed, 1 something failed, 2 the file could not be checked."""
        if self.error is not None:
            return 2
        return 1 if any(r.status is Status.FAILED for r in self.exercises) else 0

    def to_json(self) -> CheckJSON:
        return {
            "schema": SCHEMA,
            "file": self.file,
            "seed": self.seed,
            "torch": self.torch,
            "device": self.device,
            "error": self.error.to_json() if self.error else None,
            "load_notes": [n.to_json() for n in self.load_notes],
            "isolation": dict(self.isolation),
            "exercises": [r.to_json() for r in self.exercises],
            "summary": self.summary(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckReport:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report (schema={data.get('schema')!r})")
        error = data.get("error")
        return cls(
            file=str(data["file"]),
            seed=int(data["seed"]),
            torch=str(data["torch"]),
            device=str(data["device"]),
            error=FileError(error["kind"], error["message"], error.get("line")) if error else None,
            exercises=tuple(ExerciseResult.from_json(r) for r in data.get("exercises", [])),
            load_notes=tuple(
                LoadNote(int(n["line"]), str(n["kind"]), str(n["message"]))
                for n in data.get("load_notes", [])
            ),
            isolation=dict(data.get("isolation", {})),
        )
