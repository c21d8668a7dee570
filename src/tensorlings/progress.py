"""The learner's progress, kept beside the workbook in `.tensorlings/progress.json` (for the
sheet) or `.tensorlings/progress-<pack>.json` (for any other pack): one file per pack.

Written atomically (a temporary file, then rename), so a crash never leaves half a file. A
damaged file is reported, kept aside for inspection, and rebuilt: never fatal.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tensorlings import files
from tensorlings.catalogue import SHEET
from tensorlings.checker.results import CheckReport

SCHEMA = "tensorlings.progress/1"
FOLDER = ".tensorlings"


@dataclass
class ExerciseProgress:
    status: str = "not_started"
    checked_at: float | None = None
    hints_seen: int = 0
    solution_revealed: bool = False
    problems: list[str] = field(default_factory=list)  # kinds, from the last check


@dataclass
class Progress:
    path: Path
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)
    warning: str | None = None  # set when a damaged file was rebuilt

    def of(self, exercise_id: str) -> ExerciseProgress:
        return self.exercises.setdefault(exercise_id, ExerciseProgress())

    def record_check(self, report: CheckReport) -> None:
        now = time.time()
        for result in report.exercises:
            entry = self.of(result.id)
            entry.status = result.status
            entry.checked_at = now
            entry.problems = sorted({p.kind for p in result.problems if p.fails})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "schema": SCHEMA,
            "exercises": {key: vars(value) for key, value in sorted(self.exercises.items())},
        }
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


def progress_path(folder: Path, pack: str = SHEET) -> Path:
    name = "progress.json" if pack == SHEET else f"progress-{pack}.json"
    return folder / FOLDER / name


def _parse(raw: str) -> dict[str, ExerciseProgress]:
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError("not a tensorlings progress file")
    exercises = {}
    for key, value in data["exercises"].items():
        entry = ExerciseProgress()
        for name in vars(entry):
            if name in value:
                setattr(entry, name, value[name])
        exercises[str(key)] = entry
    return exercises


def load(folder: Path, pack: str = SHEET) -> Progress:
    path = progress_path(folder, pack)
    progress = Progress(path)
    if not path.exists():
        return progress
    try:
        # Bounded, regular files only: a folder checked may be an upload (a FIFO named so).
        progress.exercises = _parse(files.decode(path, files.read_bytes(path, 4 * 2**20)))
    except (
        OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError,
        files.UnreadableFile,
    ) as error:  # fmt: skip
        aside = path.with_name(path.stem + ".damaged.json")
        try:
            os.replace(path, aside)
        except OSError:
            aside = path
        progress.warning = (
            f"the progress file {path} was damaged ({type(error).__name__}: {error}); it was "
            f"moved to {aside.name} and progress is rebuilt from the next check."
        )
    return progress


def describe(entry: ExerciseProgress | None) -> dict[str, Any]:
    entry = entry or ExerciseProgress()
    return vars(entry)


def record(workbook: Path, report: CheckReport, pack: str = SHEET) -> list[str]:
    """Record a check beside the workbook; the warnings to show (never raises)."""
    store = load(workbook.parent, pack)
    warnings = [store.warning] if store.warning else []
    store.record_check(report)
    try:
        store.save()
    except OSError as error:
        warnings.append(f"could not save progress: {error}")
    return warnings
