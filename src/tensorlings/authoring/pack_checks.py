"""`tensorlings pack check`: what every pack must get right before a learner sees it, in three
stages, each run once the one before is clean: the exercises' own fields, the soundness engine
(tensorlings.authoring: references, stubs, declared mistakes, the mutation audit), then the
reference and stub workbooks through the full, isolated checker. Each finding says what is
wrong and how to fix it.
"""

from __future__ import annotations

import inspect
import keyword
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from tensorlings.authoring.findings import AuditJSON
from tensorlings.catalogue import Catalogue
from tensorlings.exercise import Exercise
from tensorlings.vocab import Status

if TYPE_CHECKING:
    from tensorlings.authoring.findings import AuditCount, PackReport


@dataclass(frozen=True)
class PackFinding:
    """One thing wrong with a pack: which exercise (None: the pack itself), what kind of
    finding (docs/pack-check.md explains each), what was seen, and the fix."""

    exercise: str | None
    problem: str
    fix: str
    kind: str = "pack"

    def line(self) -> str:
        where = f"{self.exercise}: " if self.exercise else ""
        problem = self.problem.rstrip()
        stop = "" if problem.endswith((".", "?", "!")) else "."
        return f"{where}{self.kind}: {problem}{stop} Fix: {self.fix}"

    def to_json(self) -> FindingJSON:
        return {"exercise": self.exercise, "kind": self.kind, "message": self.problem,
                "advice": self.fix}  # fmt: skip


class FindingJSON(TypedDict):
    """One finding of `pack check`: the exercise (null: the pack itself), its kind
    (docs/pack-check.md explains each), what was seen and the fix."""

    exercise: str | None
    kind: str
    message: str
    advice: str


class PackCheckJSON(TypedDict):
    """`tensorlings pack check --json`: every finding on one pack, and the mutation audit's
    counts per exercise."""

    schema: Literal["tensorlings.pack_check_cli/1"]
    pack: str  # as given on the command line
    version: str | None  # null when the pack did not import
    exercises: int
    clean: bool
    findings: list[FindingJSON]
    audit: list[AuditJSON]


def check_pack(pack: Catalogue, *, zygote: Any = None) -> list[PackFinding]:
    """Every finding on the pack: its fields first, then the references and stubs run through
    the full checker (skipped while a field is wrong: the checker would only repeat it)."""
    return pack_report(pack, zygote=zygote)[0]


def pack_report(
    pack: Catalogue, *, zygote: Any = None
) -> tuple[list[PackFinding], tuple[AuditCount, ...]]:
    """The findings, and the mutation audit's counts per exercise (`pack check --verbose`)."""
    findings = [
        f
        for exercise in pack.exercises
        for f in field_findings(exercise) + example_findings(exercise)
    ]
    if not pack.exercises:
        findings.append(
            PackFinding(
                None, "the pack has no exercises.", "add Exercise objects to EXERCISES.",
                "no_exercises",
            )
        )  # fmt: skip
    # The engine reports what the fields leave to it; the same fact is said once.
    seen = {(f.exercise, f.kind) for f in findings}
    report = _soundness(pack)
    findings += [f for f in _engine(report) if (f.exercise, _twin(f.kind)) not in seen]
    if findings:
        return findings, report.audits  # the full checker would only repeat them, slowly
    return checker_findings(pack, zygote), report.audits


def _twin(kind: str) -> str:
    """The field check that states the same fact as an engine finding of this kind."""
    twins = {
        "missing_hints": "no_hints",
        "missing_examples": "no_examples",
        "missing_prompt": "empty_field",
        "reference_fails": "example_disagrees",
    }
    return twins.get(kind, kind)


def soundness_findings(pack: Catalogue) -> list[PackFinding]:
    """The soundness engine, in this process on the author's own code: unique ids, the
    reference against its examples, probes and rules, the stub, every declared mistake failing
    under its name, and the mutation audit (tensorlings.authoring)."""
    return _engine(_soundness(pack))


def _soundness(pack: Catalogue) -> PackReport:
    from tensorlings.authoring.soundness import check_pack as audit

    return audit(pack.exercises)


def _engine(report: PackReport) -> list[PackFinding]:
    return [
        PackFinding(f.exercise_id or None, f.message, f.advice, f.kind) for f in report.findings
    ]


def field_findings(exercise: Exercise) -> list[PackFinding]:
    """What an exercise's own fields get wrong: id, prompt, hints, examples."""
    from tensorlings.checker.strategies import strategy_for

    found = []

    def add(problem: str, fix: str, kind: str) -> None:
        found.append(PackFinding(exercise.id, problem, fix, kind))

    if not exercise.id.isidentifier() or keyword.iskeyword(exercise.id):
        add(
            f"the id {exercise.id!r} is not a Python function name.",
            "use lowercase letters, digits and _ (the learner writes `def ID(...)`).",
            "bad_id",
        )
    for name in ("title", "prompt", "section"):
        if not str(getattr(exercise, name)).strip():
            add(
                f"the {name} is empty.", f"write the {name}: learners read it first.", "empty_field"
            )
    if not exercise.hints or not all(h.strip() for h in exercise.hints):
        add(
            "it has no hints (or an empty one).",
            "give hints=(...) as questions that lead, the most general first.",
            "no_hints",
        )
    strategy = strategy_for(exercise.judge)
    if not strategy.answers and not exercise.examples:
        add(
            "it has no examples.",
            "give examples=(Example(args, expected), ...): the checker runs them first and "
            "`tensorlings show` prints them.",
            "no_examples",
        )
    takes_arguments = bool(inspect.signature(exercise.solution).parameters)
    if strategy.compares_outputs and exercise.cases is None and takes_arguments:
        add(
            "it has no random cases, so only its examples are checked.",
            "give cases=RandomCases(make=..., sizes={...}) so that a solution fitted to the "
            "examples fails.",
            "no_random_cases",
        )
    return found


def example_findings(exercise: Exercise) -> list[PackFinding]:
    """The reference must give each example's expected value. The checker's own expected values
    come from the reference, so this is the one place a wrong reference shows."""
    from tensorlings.checker.compare import compare
    from tensorlings.checker.strategies import strategy_for

    strategy = strategy_for(exercise.judge)
    found = []
    for number, example in enumerate(exercise.examples, start=1):
        try:
            values = strategy.example_values(exercise, example)
            if values is None:
                return []
            mismatch = compare(*values, exercise.output)
        except Exception as error:
            why = f"raises {type(error).__name__}: {error}"
        else:
            if mismatch is None:
                continue
            why = f"differs from its expected value: {mismatch.message}"
        found.append(
            PackFinding(
                exercise.id,
                f"the reference on example {number} {why}",
                "fix the solution or the example's expected value; they must agree.",
                "example_disagrees",
            )
        )
    return found


def checker_findings(pack: Catalogue, zygote: Any = None) -> list[PackFinding]:
    """The reference workbook must pass the full checker with no note; the stub workbook must
    be not started, exercise by exercise."""
    from tensorlings import workbook
    from tensorlings.checker.check import check_path
    from tensorlings.checker.sandbox import ZygoteHandle

    own = zygote is None
    zygote = zygote or ZygoteHandle()
    try:
        with tempfile.TemporaryDirectory(prefix="tensorlings-pack-check-") as tmp:
            reference = Path(tmp) / "reference.py"
            reference.write_text(workbook.to_py(workbook.reference_cells(pack=pack)), "utf-8")
            stub = Path(tmp) / "workbook.py"
            stub.write_text(workbook.to_py(workbook.learner_cells(pack=pack)), "utf-8")
            passed = check_path(reference, zygote=zygote, catalogue=pack, coach=False)
            started = check_path(stub, zygote=zygote, catalogue=pack, coach=False)
    finally:
        if own:
            zygote.close()
    return _reference_findings(passed) + _stub_findings(started)


def _reference_findings(report: Any) -> list[PackFinding]:
    if report.error is not None:
        return [
            PackFinding(
                None,
                f"the reference workbook could not be checked: {report.error.message}",
                "run `tensorlings check --reference --pack PATH` to see the whole report.",
                "reference_fails_checker",
            )
        ]
    found = []
    for result in report.exercises:
        if result.status != Status.PASSED:
            found.append(
                PackFinding(
                    result.id,
                    f"the reference does not pass the checker ({result.status}): "
                    + "; ".join(p.message for p in result.problems[:2]),
                    "fix the solution, or the examples and cases it disagrees with.",
                    "reference_fails_checker",
                )
            )
        for problem in (p for p in result.problems if not p.fails):
            found.append(
                PackFinding(
                    result.id,
                    f"the reference passes with a note ({problem.kind}): {problem.message}",
                    "make the reference robust there, or drop the probe family it fails.",
                    "reference_note",
                )
            )
    return found


def _stub_findings(report: Any) -> list[PackFinding]:
    if report.error is not None:
        why = f"the stub workbook could not be checked: {report.error.message}"
        return [
            PackFinding(
                None, why, "check the starter code of each exercise.", "stub_judged_started"
            )
        ]
    return [
        PackFinding(
            result.id,
            f"the generated stub is {result.status.replace('_', ' ')}, not 'not started'.",
            "a stub must do nothing: leave `starter` unset, or make it a body the checker "
            "recognises as untouched.",
            "stub_judged_started",
        )
        for result in report.exercises
        if result.status != Status.NOT_STARTED
    ]
