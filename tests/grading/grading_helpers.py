"""Reports built by hand, small workbooks, and fake pool tasks for the grading tests.

A module of its own (not conftest) so that spawned pool processes can import the fake tasks.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tensorlings.checker.results import CheckReport, ExerciseResult, FileError, Problem
from tensorlings.grading.checking import CheckSettings
from tensorlings.grading.model import Graded

SECTION = "Building tensors"

# Small workbooks: only the first exercises are written, the rest are not started.
GOOD = """\
import torch
from einops import rearrange


def rearrange_1():
    return rearrange(torch.arange(3, 9), "(r c) -> r c", c=2)
"""
WRONG = (
    GOOD
    + """

def rearrange_2():
    return torch.tensor([[1, 2, 3], [4, 5, 6]])
"""
)
EXITS = (
    GOOD
    + """

def rearrange_3():
    import os
    os._exit(3)
"""
)
SYNTAX_ERROR = "def rearrange_1(:\n    return 1\n"


def exercise(exercise_id: str, status: str, *kinds: str, message: str = "") -> ExerciseResult:
    problems = tuple(
        Problem(kind, message or f"{exercise_id} has {kind}", call=f"{exercise_id}()")
        for kind in kinds
    )
    return ExerciseResult(exercise_id, SECTION, status, problems, duration_s=0.25)


def report(file: str, *results: ExerciseResult, error: FileError | None = None) -> CheckReport:
    return CheckReport(file, 0, "2.13.0", "cpu", error, tuple(results))


def small_class() -> list[Graded]:
    """Four submissions: all passed, some failed, mostly not started, and unusable."""
    return [
        Graded(
            "alice", report("alice.py", *(exercise(i, "passed") for i in ("ex_a", "ex_b", "ex_c")))
        ),
        Graded(
            "bob",
            report(
                "bob.py",
                exercise("ex_a", "passed"),
                exercise("ex_b", "failed", "wrong_shape"),
                exercise("ex_c", "failed", "wrong_values", "not_finite"),
            ),
        ),
        Graded(
            "carol",
            report(
                "=carol.py",
                exercise("ex_a", "not_started"),
                exercise("ex_b", "failed", "wrong_shape", message='<script>x</script>\x00 & "q"'),
                exercise("ex_c", "not_started"),
            ),
        ),
        Graded(
            "dave",
            report("dave.py", error=FileError("syntax_error", "=1+1 invalid syntax at line 1", 1)),
        ),
    ]


def fake_check(workbook: str, settings: CheckSettings) -> dict[str, Any]:
    """A pool task that needs no torch: ends its own process for a workbook saying KILL."""
    text = Path(workbook).read_text()
    if "KILL" in text:
        os._exit(9)
    time.sleep(0.3)
    passed = exercise("ex_a", "passed")
    pid = {"pid": os.getpid()}
    return CheckReport(workbook, settings.seed, "fake", "cpu", None, (passed,), (), pid).to_json()


def write_class(folder: Path) -> dict[str, Path]:
    """A small class: a good .py, a wrong one, one that ends its process, a syntax error,
    a folder holding a workbook.py, and a folder holding no workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"good": GOOD, "wrong": WRONG, "exits": EXITS, "broken": SYNTAX_ERROR}
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(text)
    (folder / "erin").mkdir()
    (folder / "erin" / "workbook.py").write_text(GOOD)
    (folder / "erin" / "notes.txt").write_text("not a workbook")
    (folder / "empty").mkdir()
    paths["erin"] = folder / "erin"
    paths["empty"] = folder / "empty"
    return paths
