"""Shared checks for the attack tests: the attacked exercise fails with the right kind, the
healthy reference exercises written after it (conftest's HEALTHY) still pass."""

from __future__ import annotations

import json

from tensorlings.checker.results import CheckReport, ExerciseResult

HEALTHY_COUNT = 3

# Finds the child's socket and writes raw frames to it, as a learner who read the protocol
# would. Used inside the attacked function.
WRITE_FRAME = """
import json as _json, os as _os, stat as _stat, struct as _struct

def _frame(message):
    data = _json.dumps(message).encode() if not isinstance(message, bytes) else message
    for name in _os.listdir("/proc/self/fd"):
        try:
            if _stat.S_ISSOCK(_os.fstat(int(name)).st_mode):
                _os.write(int(name), _struct.pack(">I", len(data)) + data)
        except OSError:
            pass
"""


def results(report: CheckReport) -> dict[str, ExerciseResult]:
    assert report.error is None, f"the file could not be checked: {report.error}"
    return {r.id: r for r in report.exercises}


def failing_kinds(result: ExerciseResult) -> list[str]:
    return [p.kind for p in result.problems if p.fails]


def assert_healthy_passed(report: CheckReport, *attacked: str) -> None:
    healthy = [r for r in report.exercises if r.id not in attacked]
    assert len(healthy) == HEALTHY_COUNT
    for result in healthy:
        failing = [(p.kind, p.message) for p in result.problems if p.fails]
        assert result.status == "passed", f"{result.id} is {result.status}: {failing}"


def assert_failed_with(report: CheckReport, exercise_id: str, *kinds: str) -> ExerciseResult:
    """Failed, with one of `kinds` among its failing problems."""
    result = results(report)[exercise_id]
    assert result.status == "failed", f"{exercise_id} is {result.status}: {result.problems}"
    assert set(kinds) & set(failing_kinds(result)), f"{exercise_id}: {result.problems}"
    return result


def report_size(report: CheckReport) -> int:
    return len(json.dumps(report.to_json()))
