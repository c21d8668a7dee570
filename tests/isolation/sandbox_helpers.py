"""Shared by the sandbox tests: check one hostile file in the full sandbox, or skip saying why."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tensorlings import catalogue, workbook
from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport, ExerciseResult
from tensorlings.checker.sandbox import Limits, ZygoteHandle

HEADER = "# %%\nimport torch\nimport torch as t\n"
HEALTHY = ("batched_softmax", "collect_rows")
FAST = Limits(exercise_seconds=2.0, statement_seconds=3.0)
# Escapes that an audit hook may also refuse before the sandbox is reached (kind `tampering`):
# either way the escape did not happen, which is what these tests are about.
STOPPED_EARLIER = ("tampering", "forbidden_call", "forbidden_import")


def require_layers(zygote: ZygoteHandle, *layers: str) -> None:
    """Skip, with the reason the worker gave, where this machine lacks a layer."""
    sandbox = zygote.ready().get("sandbox") or {}
    missing = [m for m in sandbox.get("missing", []) if m.split(":")[0] in layers]
    if missing or not sandbox:
        pytest.skip(f"this machine does not allow the sandbox layer(s) needed: {missing}")


def check_hostile(
    zygote: ZygoteHandle,
    tmp_path: Path,
    hostile: str,
    ids: tuple[str, ...] = ("relu_abs",),
    limits: Limits = FAST,
) -> CheckReport:
    healthy = workbook.to_py(workbook.reference_cells([catalogue.get(i) for i in HEALTHY]))
    path = tmp_path / "hostile.py"
    path.write_text(f"{HEADER}\n# %%\n{textwrap.dedent(hostile)}\n{healthy}", encoding="utf-8")
    return check_path(path, limits=limits, exercise_ids=[*ids, *HEALTHY], zygote=zygote)


def result_of(report: CheckReport, exercise_id: str) -> ExerciseResult:
    assert report.error is None, f"the file could not be checked: {report.error}"
    return next(r for r in report.exercises if r.id == exercise_id)


def kinds(result: ExerciseResult) -> list[str]:
    return [p.kind for p in result.problems if p.fails]


def assert_neighbours_passed(report: CheckReport) -> None:
    for exercise_id in HEALTHY:
        result = result_of(report, exercise_id)
        assert result.status == "passed", f"{exercise_id}: {kinds(result)}"


def stopped_earlier(result: ExerciseResult) -> bool:
    return any(kind in STOPPED_EARLIER for kind in kinds(result))


def request(child: Any, message: dict[str, Any], seconds: float) -> Any:
    """Send one request to a child and return its answer (progress frames skipped)."""
    answers: list[Any] = []
    deadline = time.monotonic() + seconds

    def handle(frame: Any) -> bool:
        if isinstance(frame, dict) and frame.get("op") in ("progress", "statement", "definition"):
            return False
        answers.append(frame)
        return True

    child.exchange(message, lambda: deadline, handle)
    return answers[0]
