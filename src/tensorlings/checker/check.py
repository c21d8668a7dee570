"""Check one workbook: read it, load it in an isolated child, judge every exercise it defines.

The learner's code runs only in the child; every verdict is decided here from plain data.
A child that dies or hangs fails only the exercise it was running: a new one is forked, the
file is loaded again, and checking carries on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from tensorlings.catalogue import Catalogue, sheet
from tensorlings.checker import facts_reader, source_scan, static
from tensorlings.checker.coach import coach_recipes
from tensorlings.checker.exercise_judges import judge_exercise
from tensorlings.checker.facts import Facts, NotRun
from tensorlings.checker.isolation import describe as describe_isolation
from tensorlings.checker.isolation import not_started
from tensorlings.checker.results import CheckReport, ExerciseResult, FileError, LoadNote, Problem
from tensorlings.checker.sandbox import Limits, ZygoteHandle
from tensorlings.checker.session import LoadFailed, Session
from tensorlings.checker.source import Cell, Workbook, read_workbook
from tensorlings.errors import WorkbookError
from tensorlings.exercise import Exercise
from tensorlings.vocab import ProblemKind, Status


def _syntax_problem(workbook: Workbook, name: str) -> Problem | None:
    for cell in workbook.cells:
        if cell.syntax_error is not None and f"def {name}(" in cell.code:
            error = cell.syntax_error
            said = error.msg.rstrip(".")  # Python's own may end "a comma?": no "?." after it
            said += "" if said.endswith(("?", "!")) else "."
            return Problem(
                ProblemKind.EXCEPTION,
                f"the {'cell' if workbook.kind == 'ipynb' else 'code'} defining {name} has a "
                f"syntax error at "
                f"{workbook.where(error.lineno or cell.line)}: "
                f"{said} Fix it and check again.",
                line=error.lineno,
            )
    return None


NOT_RUN = {
    NotRun.COLAB_BLOCK: "this block runs only on Colab (its test says so), so the grader skips "
    "it: it was not run and nothing in it is judged",
    NotRun.SHELL_COMMAND: "skipped a shell command, as a notebook's `!pip install` line is: "
    "the grader installs nothing and runs no command",
}
NOT_STARTED_ISOLATION = not_started("no worker was started: the file could not be read")


def _report(path: Path, seed: int, device: str, **kwargs: Any) -> CheckReport:
    kwargs.setdefault("isolation", NOT_STARTED_ISOLATION)
    return CheckReport(file=str(path), seed=seed, torch=torch.__version__, device=device, **kwargs)


def _planned_status(exercise: Exercise, workbook: Workbook, facts: Facts) -> ExerciseResult | None:
    """A verdict that needs no running: not started, or a syntax error; None to run it."""
    syntax = _syntax_problem(workbook, exercise.id)
    if syntax is not None and not facts.binds(exercise.id):
        return ExerciseResult(exercise.id, exercise.section, Status.FAILED, (syntax,))
    node = facts.functions.get(exercise.id)
    if node is not None and static.is_stub(node, exercise.starter):
        return ExerciseResult(exercise.id, exercise.section, Status.NOT_STARTED)
    return None


def _syntax_error(workbook: Workbook) -> FileError:
    broken = next(c.syntax_error for c in workbook.cells if c.syntax_error is not None)
    text = (broken.text or "").strip()
    where = workbook.where(broken.lineno or 1)
    return FileError("syntax_error", f"{broken.msg} at {where}: {text!r}", broken.lineno)


def _skipped(workbook: Workbook, cell: Cell) -> str:
    """The note for a part that does not parse: a notebook's cell, or lines of a .py file."""
    message = cell.syntax_error.msg if cell.syntax_error else "invalid syntax"
    if workbook.kind == "ipynb" and not cell.part:
        return f"cell skipped: {message}"
    last = cell.line + cell.code.rstrip("\n").count("\n")
    if workbook.kind == "ipynb":  # a part of a cell: its lines counted in the learner's cell
        where, first = workbook.where(cell.line).rsplit(", line ", 1)
        end = workbook.where(last).rsplit(" ", 1)[-1]
        return (
            f"{where}, lines {first}-{end} skipped: {message}; the rest of the notebook is checked"
        )
    return f"lines {cell.line}-{last} skipped: {message}; the rest of the file is checked"


def check_path(
    path: Path,
    *,
    seed: int = 0,
    device: str = "cpu",
    limits: Limits = Limits(),
    exercise_ids: Sequence[str] | None = None,
    zygote: ZygoteHandle | None = None,
    coach: bool = True,
    catalogue: Catalogue | None = None,
    timing_advice: bool = True,
) -> CheckReport:
    """Check every exercise of the pack (default: the sheet) that the workbook defines; never
    raises for anything in the file. `timing_advice=False` keeps the coach to memory advice
    (timing can depend on the machine; see coach.py)."""
    pack = catalogue or sheet()
    path = Path(path)
    try:
        workbook = read_workbook(path)
    except WorkbookError as error:
        return _report(path, seed, device, error=FileError("unreadable", str(error)), exercises=())
    broken = [c for c in workbook.cells if c.syntax_error is not None]
    if broken and len(broken) == len(workbook.cells):
        return _report(path, seed, device, error=_syntax_error(workbook), exercises=())
    notes = list(workbook.notes) + [
        LoadNote(c.syntax_error.lineno or c.line, "syntax_error", _skipped(workbook, c))
        for c in broken
        if c.syntax_error is not None
    ]
    exercises = [pack.get(i) for i in exercise_ids] if exercise_ids else list(pack.exercises)
    own_zygote = zygote is None
    zygote = zygote or ZygoteHandle()
    zygote.protect(pack.roots, pack.modules)
    try:
        with _one_thread():
            return _check_loaded(
                path, workbook, exercises, notes, zygote, limits, seed, device, coach, pack,
                timing_advice,
            )  # fmt: skip
    finally:
        if own_zygote:
            zygote.close()


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """The checker's own tensor work (the references' answers, comparisons) on one thread, as
    the learner's code runs in the worker. Its tensors are small: a second thread only spins
    between them (OpenMP waits busily after each parallel op), ~0.15 s of CPU per check of
    the sheet taken from the worker's processes on a two-core machine. Put back afterwards:
    the caller's own torch (a notebook's) keeps its threads."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _check_loaded(
    path: Path,
    workbook: Workbook,
    exercises: list[Exercise],
    notes: list[LoadNote],
    zygote: ZygoteHandle,
    limits: Limits,
    seed: int,
    device: str,
    coach: bool,
    pack: Catalogue,
    timing_advice: bool = True,
) -> CheckReport:
    facts = facts_reader.of_workbook(workbook)
    top = source_scan.file_tampering(facts)
    names = [e.id for e in exercises] + ["test_cases"]
    session = Session(zygote, workbook, limits, names, catalogue=pack)
    session.coach = coach
    session.coach_timing = timing_advice
    for line, why in facts.not_run.items():
        session.skip_lines.add(line)
        notes.append(LoadNote(line, "notebook_line", NOT_RUN[why]))
    info = zygote.ready()
    if coach and device == "cpu":  # the coach's larger inputs, made once by the zygote
        zygote.keep_recipes(coach_recipes(exercises, seed))
    try:
        session.load()
    except LoadFailed as failed:
        isolation = describe_isolation(info, None)
        error = FileError("crashed", f"the file could not be loaded: {failed}", failed.line)
        return _report(
            path,
            seed,
            device,
            error=error,
            exercises=(),
            load_notes=tuple(notes + session.notes),
            isolation=isolation,
        )
    isolation = describe_isolation(info, session.loaded)
    results = []
    try:
        for exercise in exercises:
            started = time.perf_counter()
            planned = _planned_status(exercise, workbook, facts)
            if planned is None:
                planned = judge_exercise(exercise, session, facts, seed, device)
                found = session.finish_exercise(exercise.id)
                found += _source_problems(exercise, planned, facts, top)
                planned = _with_findings(_located(planned, facts), found)
            results.append(_timed(planned, time.perf_counter() - started))
    finally:
        session.close()
    return _report(
        path, seed, device, error=None, exercises=tuple(results),
        load_notes=tuple(notes + session.notes), isolation=isolation,
    )  # fmt: skip


def _source_problems(
    exercise: Exercise,
    result: ExerciseResult,
    facts: Facts,
    top: list[static.SourceFinding],
) -> list[Problem]:
    """The independent scan of the source (source_scan.py): tampering anywhere in what runs
    while the file loads or in what this exercise's name reaches; forbidden calls the recorder
    did not report."""
    if not facts.binds(exercise.id):
        return []
    problems = []
    for finding in top + source_scan.reached_tampering(facts, exercise.id):
        problems.append(
            Problem(
                ProblemKind.TAMPERING,
                f"{finding.function} uses {finding.what} (line {finding.line}), which reaches "
                "into the interpreter or torch around the checker's recorder. Tensor code "
                "never needs it: remove it.",
                line=finding.line,
            )
        )
    forbidden = frozenset(n for rule in exercise.rules.forbidden for n in rule.names)
    if forbidden and not any(p.kind == ProblemKind.FORBIDDEN_CALL for p in result.problems):
        for finding in source_scan.forbidden_calls(facts, exercise.id, forbidden):
            problems.append(
                Problem(
                    ProblemKind.FORBIDDEN_CALL,
                    f"{finding.function} calls {finding.what} (line {finding.line}), which "
                    f"this exercise forbids. Build the result from more basic operations.",
                    line=finding.line,
                    details={"calls": [finding.what]},
                )
            )
    return problems[:10]


def _located(result: ExerciseResult, facts: Facts) -> ExerciseResult:
    """A forbidden call the recorder saw, placed at the line where the source names it; where
    the call itself was made elsewhere (a function passed as a value), both lines are said."""
    names = frozenset(
        n
        for p in result.problems
        if p.kind == ProblemKind.FORBIDDEN_CALL
        for n in p.details.get("calls", ())
    )
    if not names:
        return result
    seen: dict[str, static.SourceFinding] = {}
    for finding in source_scan.forbidden_calls(facts, result.id, names):
        seen.setdefault(finding.what, finding)  # the first line that names it
    problems = []
    for problem in result.problems:
        calls = (
            problem.details.get("calls", ()) if problem.kind == ProblemKind.FORBIDDEN_CALL else ()
        )
        where = next((seen[n] for n in calls if n in seen), None)
        if where is not None and problem.line != where.line:
            message = f"{problem.message} ({where.what} is named at line {where.line}.)"
            problem = replace(problem, message=message, line=problem.line or where.line)
        problems.append(problem)
    return replace(result, problems=tuple(problems))


def _with_findings(result: ExerciseResult, found: list[Problem]) -> ExerciseResult:
    """Add what the checker itself saw (tampering, a killed parent): these always fail."""
    if not found:
        return result
    return replace(result, status=Status.FAILED, problems=folded((*found, *result.problems)))


def folded(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """One act of tampering is seen up to three ways: refused at run time, again in the source
    scan, and as the exception the refusal raised. The learner reads one problem, led by the
    first act seen, with every act listed once in `details["acts"]`."""
    acts = [p for p in problems if p.kind == ProblemKind.TAMPERING]
    if not acts:
        return problems
    raised = [
        p for p in problems if p.kind == ProblemKind.EXCEPTION and " raised Tampering" in p.message
    ]
    if len(acts) == 1 and not raised:
        return problems
    first, more = acts[0], list(dict.fromkeys(p.message for p in acts[1:]))
    message = first.message
    if more:
        shown = "; ".join(_first_sentence(m) for m in more[:3])
        extra = f" and {len(more) - 3} more" if len(more) > 3 else ""
        message = f"{message} Also seen: {shown}{extra}."
    line = first.line or next((p.line for p in (*acts, *raised) if p.line), None)
    acts_seen = [first.message, *more]
    one = replace(first, message=message, line=line, details={**first.details, "acts": acts_seen})
    rest = [p for p in problems if p.kind != ProblemKind.TAMPERING and p not in raised]
    return (one, *rest)


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _timed(result: ExerciseResult, seconds: float) -> ExerciseResult:
    return replace(result, duration_s=seconds)


__all__ = ["Limits", "Session", "check_path"]
