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


def wrong_output(exercise_id: str, actual: float, mistake: str | None = None) -> Problem:
    """A wrong value on the same probe for everyone, as the checker reports it."""
    details = {"first_index": [0], "expected_at_first": 1.0, "actual_at_first": actual}
    return Problem(
        "wrong_values",
        f"wrong values: first at index [0] expected 1.0, got {actual}",
        call=f"{exercise_id}(x=tensor([1.]))",
        details=details,
        mistake=mistake,
    )


def mistakes_class() -> list[Graded]:
    """Five submissions: three share a named mistake on ex_b, two the same wrong output on
    ex_c, one passes all with an edge-case note, one is an empty upload."""
    note = Problem("edge_case", "wrong on an empty batch", call="ex_a(x=tensor([]))", fails=False)
    population = wrong_output("ex_b", 0.9, mistake="population standard deviation")

    def failed(exercise_id: str, problem: Problem) -> ExerciseResult:
        return ExerciseResult(exercise_id, SECTION, "failed", (problem,), duration_s=0.1)

    def passed(exercise_id: str, *notes: Problem) -> ExerciseResult:
        return ExerciseResult(exercise_id, SECTION, "passed", notes, duration_s=0.1)

    return [
        Graded("ann", report("ann.py", passed("ex_a"), failed("ex_b", population),
                             failed("ex_c", wrong_output("ex_c", 5.0)))),
        Graded("ben", report("ben.py", passed("ex_a"), failed("ex_b", population),
                             failed("ex_c", wrong_output("ex_c", 5.0)))),
        Graded("cat", report("cat.py", passed("ex_a"), failed("ex_b", population),
                             passed("ex_c"))),
        Graded("dan", report("dan.py", passed("ex_a", note), passed("ex_b"), passed("ex_c"))),
        Graded("eve", report("eve.py", *(ExerciseResult(i, SECTION, "not_started")
                                          for i in ("ex_a", "ex_b", "ex_c"))), flag="empty"),
    ]  # fmt: skip


def grades_beside(tmp_path: Path) -> Path:
    """An output folder outside tmp_path, where a test writes its submissions: an output
    folder in the folder that holds the submissions is refused."""
    return tmp_path.parent / f"{tmp_path.name}-grades"


def fresh_start_environment() -> dict[str, str]:
    """This session's environment less what a fresh zygote would not start with (a hash seed
    that a library the session ran set in it, as dask does)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED", "PYTHONMALLOC")}
