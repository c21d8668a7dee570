"""Check one workbook: read it, load it in an isolated child, judge every exercise it defines.

The learner's code runs only in the child; every verdict is decided here from plain data.
A child that dies or hangs fails only the exercise it was running: a new one is forked, the
file is loaded again, and checking carries on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from tensorlings import catalogue
from tensorlings.checker import static
from tensorlings.checker.coach import REPEATS as COACH_REPEATS
from tensorlings.checker.exercise_judges import judge_exercise
from tensorlings.checker.isolation import describe as describe_isolation
from tensorlings.checker.isolation import not_started
from tensorlings.checker.results import CheckReport, ExerciseResult, FileError, LoadNote, Problem
from tensorlings.checker.sandbox import ChildDied, ChildTimedOut, Limits, Zygote, describe_status
from tensorlings.checker.source import Workbook, read_workbook
from tensorlings.errors import WorkbookError
from tensorlings.exercise import Exercise

MAX_LOAD_ATTEMPTS = 8
OOM = "the process reached the sandbox's memory cap (shared memory and files in /tmp count too)"
MEMORY_CAP_RESULT = {"status": "memory", "error": {"kind": "memory", "message": OOM}}
EXERCISE_BUDGET_CALLS = 4  # an exercise's checks may take this many calls' time in all


@dataclass
class Session:
    """A loaded file in a live child, reloaded transparently after a crash."""

    zygote: Zygote
    workbook: Workbook
    limits: Limits
    names: list[str]
    skip_lines: set[int] = field(default_factory=set)
    notes: list[LoadNote] = field(default_factory=list)
    loaded: dict[str, Any] = field(default_factory=dict)
    child: Any = None
    reference_child: Any = None
    coach: bool = True  # time passing solutions against the reference (costs a little)

    def load(self) -> None:
        """Load the file, skipping any statement that kills or hangs the child."""
        units = [{"line": c.line, "code": c.code} for c in self.workbook.cells if c.tree]
        for _ in range(MAX_LOAD_ATTEMPTS):
            self.child = self.zygote.spawn(self.limits)
            request = {
                "op": "load",
                "units": units,
                "filename": str(self.workbook.path.resolve()),
                "skip_lines": sorted(self.skip_lines),
                "statement_seconds": self.limits.statement_seconds,
                "names": self.names,
            }
            try:
                reply = self.child.request(request, self.limits.statement_seconds + 5)
            except (ChildDied, ChildTimedOut) as error:
                if error.last_line is None or error.last_line in self.skip_lines:
                    raise LoadFailed(str(error), error.last_line) from None
                kind = "timeout" if isinstance(error, ChildTimedOut) else _died_kind(error)
                self.notes.append(
                    LoadNote(
                        error.last_line,
                        kind,
                        f"this statement ended the worker ({error}); it was skipped",
                    )
                )
                self.skip_lines.add(error.last_line)
                continue
            if not self.loaded:
                self.notes += [_load_note(n) for n in reply.get("notes", [])]
            self.loaded = reply
            return
        raise LoadFailed("too many top-level statements end the process", None)

    def run(
        self, name: str, calls: list[dict[str, Any]], record: bool, seconds: float
    ) -> list[Any]:
        """Results of calling the learner's `name` once per call (a list of dicts)."""
        if self.child is None or not self.child.alive:
            self.load()
        request = {
            "op": "run",
            "name": name,
            "calls": calls,
            "record": record,
            "seconds": seconds,
            "budget": seconds * EXERCISE_BUDGET_CALLS,
        }
        try:
            reply = self.child.request(request, seconds + 3)
        except ChildTimedOut as late:
            memory = self.child.memory_limit
            self.child = None
            # The calls before it finished; their results went down with the child.
            done = [{"status": "skipped"}] * late.calls_done
            if memory:  # stalled at the sandbox's memory cap, which is not slowness
                return [*done, MEMORY_CAP_RESULT]
            return [*done, {"status": "timeout", "error": {"message": ""}}]
        except ChildDied as died:
            memory = self.child.memory_limit
            self.child = None
            done = [{"status": "skipped"}] * died.calls_done
            if memory:
                return [*done, MEMORY_CAP_RESULT]
            return [
                *done,
                {"status": "crashed", "error": {"message": describe_status(died.status)}},
            ]
        if not self.zygote.responsive():
            self.child.close()  # also replaces the zygote
            self.child = None
            message = "the function killed or stopped the checker's worker (its parent process)"
            return [{"status": "crashed", "error": {"message": message}}]
        results = reply.get("results")
        return results if isinstance(results, list) else []

    def profile_reference(self, exercise_id: str, args: list[Any], seed: int) -> dict[str, Any]:
        """Timings of the reference, measured in a trusted child like the learner's code."""
        if self.reference_child is None or not self.reference_child.alive:
            self.reference_child = self.zygote.spawn(self.limits, trusted=True)
        request = {
            "op": "profile",
            "exercise": exercise_id,
            "args": args,
            "seed": seed,
            "repeats": COACH_REPEATS,
        }
        try:
            return self.reference_child.request(request, 30)
        except (ChildDied, ChildTimedOut):
            self.reference_child = None
            return {}

    def close(self) -> None:
        for child in (self.child, self.reference_child):
            if child is not None and child.alive:
                child.close()


class LoadFailed(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _died_kind(error: ChildDied) -> str:
    status = error.status
    return "exited" if status is not None and os.WIFEXITED(status) else "crashed"


def _load_note(data: Any) -> LoadNote:
    return LoadNote(
        int(data.get("line", 0)), str(data.get("kind", "exception")), str(data.get("message", ""))
    )


def _syntax_problem(workbook: Workbook, name: str) -> Problem | None:
    for cell in workbook.cells:
        if cell.syntax_error is not None and f"def {name}(" in cell.code:
            error = cell.syntax_error
            return Problem(
                "exception",
                f"the cell defining {name} has a syntax error at "
                f"{workbook.where(error.lineno or cell.line)}: "
                f"{error.msg}. Fix it and check again.",
                line=error.lineno,
            )
    return None


NOT_STARTED_ISOLATION = not_started("no worker was started: the file could not be read")


def _report(path: Path, seed: int, device: str, **kwargs: Any) -> CheckReport:
    kwargs.setdefault("isolation", NOT_STARTED_ISOLATION)
    return CheckReport(file=str(path), seed=seed, torch=torch.__version__, device=device, **kwargs)


def _planned_status(
    exercise: Exercise, workbook: Workbook, functions: dict[str, static.FunctionNode]
) -> ExerciseResult | None:
    """A verdict that needs no running: not started, or a syntax error; None to run it."""
    syntax = _syntax_problem(workbook, exercise.id)
    if syntax is not None and exercise.id not in functions:
        return ExerciseResult(exercise.id, exercise.section, "failed", (syntax,))
    node = functions.get(exercise.id)
    if node is not None and static.is_stub(node, exercise.starter):
        return ExerciseResult(exercise.id, exercise.section, "not_started")
    return None


def _syntax_error(workbook: Workbook) -> FileError:
    broken = next(c.syntax_error for c in workbook.cells if c.syntax_error is not None)
    text = (broken.text or "").strip()
    where = workbook.where(broken.lineno or 1)
    return FileError("syntax_error", f"{broken.msg} at {where}: {text!r}", broken.lineno)


def check_path(
    path: Path,
    *,
    seed: int = 0,
    device: str = "cpu",
    limits: Limits = Limits(),
    exercise_ids: Sequence[str] | None = None,
    zygote: Zygote | None = None,
    coach: bool = True,
) -> CheckReport:
    """Check every exercise the workbook defines; never raises for anything in the file."""
    path = Path(path)
    try:
        workbook = read_workbook(path)
    except WorkbookError as error:
        return _report(path, seed, device, error=FileError("unreadable", str(error)), exercises=())
    broken = [c for c in workbook.cells if c.syntax_error is not None]
    if broken and len(broken) == len(workbook.cells):
        return _report(path, seed, device, error=_syntax_error(workbook), exercises=())
    notes = list(workbook.notes) + [
        LoadNote(
            c.syntax_error.lineno or c.line, "syntax_error", f"cell skipped: {c.syntax_error.msg}"
        )
        for c in broken
        if c.syntax_error is not None
    ]
    exercises = (
        [catalogue.get(i) for i in exercise_ids] if exercise_ids else list(catalogue.exercises())
    )
    own_zygote = zygote is None
    zygote = zygote or Zygote()
    try:
        return _check_loaded(path, workbook, exercises, notes, zygote, limits, seed, device, coach)
    finally:
        if own_zygote:
            zygote.close()


def _check_loaded(
    path: Path,
    workbook: Workbook,
    exercises: list[Exercise],
    notes: list[LoadNote],
    zygote: Zygote,
    limits: Limits,
    seed: int,
    device: str,
    coach: bool,
) -> CheckReport:
    statements = workbook.definitions()
    functions = static.last_definitions(statements)
    bindings = static.module_bindings(statements)
    session = Session(zygote, workbook, limits, [e.id for e in exercises] + ["test_cases"])
    session.coach = coach
    info = zygote.ready()
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
            planned = _planned_status(exercise, workbook, functions)
            if planned is None:
                planned = judge_exercise(exercise, session, functions, bindings, seed, device)
            results.append(_timed(planned, time.perf_counter() - started))
    finally:
        session.close()
    return _report(
        path, seed, device, error=None, exercises=tuple(results),
        load_notes=tuple(notes + session.notes), isolation=isolation,
    )  # fmt: skip


def _timed(result: ExerciseResult, seconds: float) -> ExerciseResult:
    return replace(result, duration_s=seconds)


__all__ = ["Limits", "check_path"]
