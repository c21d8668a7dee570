"""Check functions defined in this kernel with the command-line checker, never running them here.

The kernel's executed cells are written out as a notebook (cells.py) and checked by the same
`check_path` as `tensorlings check`, in its isolated worker. The worker (a zygote with torch
imported) is started once per kernel and kept, so a check costs a fork and a load, not the torch
import; it is closed when the kernel exits.
"""

from __future__ import annotations

import atexit
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tensorlings.catalogue import Catalogue, sheet
from tensorlings.checker.results import CheckReport, ExerciseResult
from tensorlings.checker.sandbox import Limits, ZygoteHandle
from tensorlings.errors import UnknownExercise
from tensorlings.notebook.cells import KernelCell, notebook_cells, without_later_definitions
from tensorlings.notebook.locate import Found, NotebookError, SourceUnavailable, locate
from tensorlings.notebook.result import NotebookReport

_lock = threading.Lock()
_zygote: ZygoteHandle | None = None


def zygote() -> ZygoteHandle:
    """This kernel's worker, started on first use and restarted if it died."""
    global _zygote
    with _lock:
        if _zygote is None:
            _zygote = ZygoteHandle(spare=True)  # one check after another, like watch
            atexit.register(close)
        return _zygote


def close() -> None:
    global _zygote
    with _lock:
        if _zygote is not None:
            _zygote.close()
            _zygote = None


def kernel_history() -> list[KernelCell]:
    """The cells this IPython kernel has run, as typed (an empty list outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    manager = shell.history_manager
    raw, parsed = list(manager.input_hist_raw), list(manager.input_hist_parsed)
    return [
        KernelCell(number, code, parsed[number] if number < len(parsed) else "")
        for number, code in enumerate(raw)
        if number > 0
    ]


def notebook_label() -> str:
    """The notebook's own name where the front end tells it (VS Code, Jupyter), for reports."""
    import os

    try:
        from IPython import get_ipython

        shell = get_ipython()
        name = shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None
    except ImportError:
        name = None
    return str(name or os.environ.get("JPY_SESSION_NAME") or "this notebook")


def exercise_for(
    fn: Any, exercise_id: str | None, namespace: dict[str, Any], pack: Catalogue | None = None
) -> str:
    """The exercise a function answers: given, its own name, or the name it is bound to."""
    names = [exercise_id] if exercise_id else [getattr(fn, "__name__", "")]
    names += [key for key, value in namespace.items() if value is fn and not exercise_id]
    for name in names:
        try:
            return (pack or sheet()).get(str(name)).id
        except UnknownExercise:
            continue
    shown = getattr(fn, "__name__", repr(fn))
    raise NotebookError(
        f"{shown} is not the name of an exercise. Name the function as the workbook does "
        "(def column_means(x): ...): the checker finds each exercise by its name."
    )


def _check(
    path: Path, ids: Sequence[str], seed: int, limits: Limits, label: str, pack: Catalogue
) -> CheckReport:
    from tensorlings.checker.check import check_path

    report = check_path(
        path, seed=seed, limits=limits, exercise_ids=list(ids), zygote=zygote(), catalogue=pack
    )
    return _relabelled(report, str(path), label)


def _relabelled(report: CheckReport, temporary: str, label: str) -> CheckReport:
    """Messages name the notebook, never the temporary copy that was checked."""

    def clean(result: ExerciseResult) -> ExerciseResult:
        problems = tuple(
            replace(p, message=p.message.replace(temporary, label)) for p in result.problems
        )
        return replace(result, problems=problems)

    return replace(report, file=label, exercises=tuple(clean(r) for r in report.exercises))


def _write(folder: Path, cells: list[str]) -> Path:
    """A notebook of the cells as they are: blank lines kept, so every line stays where it was."""
    import json

    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": code, "outputs": [],
             "execution_count": None}
            for code in cells
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    path = folder / "notebook.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def check_functions(
    wanted: dict[str, Found],
    history: list[KernelCell],
    seed: int,
    limits: Limits,
    pack: Catalogue | None = None,
) -> NotebookReport:
    """Check each exercise in `wanted` from the cell (or file) that defined it."""
    pack = pack or sheet()
    label = notebook_label()
    in_cells = {name: f for name, f in wanted.items() if f.cell is not None}
    in_files = {name: f for name, f in wanted.items() if f.path is not None}
    nested = {name: f for name, f in wanted.items() if f.source is not None}
    reports = []
    with tempfile.TemporaryDirectory(prefix="tensorlings-notebook-") as folder:
        if in_cells:
            cells = notebook_cells(history)
            for name, found in in_cells.items():
                assert found.cell is not None
                cells = without_later_definitions(cells, name, found.cell)
            notebook = _write(Path(folder), cells)
            reports.append(_check(notebook, list(in_cells), seed, limits, label, pack))
        for name, found in in_files.items():
            assert found.path is not None
            reports.append(_check(found.path, [name], seed, limits, str(found.path), pack))
        for name, found in nested.items():
            assert found.source is not None
            path = Path(folder) / f"{name}.py"
            path.write_text(found.source, encoding="utf-8")
            reports.append(_check(path, [name], seed, limits, label, pack))
    return NotebookReport.joined(reports, order=list(wanted))


def check_one(
    fn: Any,
    exercise_id: str | None,
    seed: int,
    limits: Limits,
    namespace: dict[str, Any],
    pack: Catalogue | None = None,
) -> NotebookReport:
    name = exercise_for(fn, exercise_id, namespace, pack)
    python = getattr(fn, "__code__", None) is not None  # else locate says it has no source
    if python and fn.__name__ not in (name, "<lambda>"):
        raise NotebookError(
            f"{fn.__name__} is checked as {name}, but the checker finds functions by name. "
            f"Name it {name} (def {name}(...)) and check again."
        )
    history = kernel_history()
    return check_functions({name: locate(fn, name, history)}, history, seed, limits, pack)


def check_namespace(
    namespace: dict[str, Any], seed: int, limits: Limits, pack: Catalogue | None = None
) -> NotebookReport:
    """Every exercise function defined in the kernel, in the pack's order."""
    pack = pack or sheet()
    history = kernel_history()
    wanted: dict[str, Found] = {}
    skipped: list[str] = []
    for exercise in pack.exercises:
        fn = namespace.get(exercise.id)
        if not callable(fn):
            continue
        try:
            wanted[exercise.id] = locate(fn, exercise.id, history)
        except SourceUnavailable as error:
            skipped.append(f"{exercise.id}: {error}")
    if not wanted:
        raise NotebookError(
            "no exercise function is defined in this kernel yet. Run the cells that define "
            "them (or tensorlings init --notebook for a workbook), then check again."
            + (" " + " ".join(skipped) if skipped else "")
        )
    report = check_functions(wanted, history, seed, limits, pack)
    return replace(report, skipped=tuple(skipped))
