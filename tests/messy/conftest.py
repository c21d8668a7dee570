"""One worker for the real-world files, and a check that insists every report is valid JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tensorlings.catalogue import Catalogue
from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport
from tensorlings.checker.sandbox import Limits, ZygoteHandle

# Short limits keep module-level test code that hangs from slowing the suite down.
FAST = Limits(exercise_seconds=2.0, statement_seconds=2.0)

CheckFile = Callable[..., CheckReport]


@pytest.fixture(scope="session")
def worker(zygote: ZygoteHandle) -> ZygoteHandle:
    return zygote  # the session's shared worker (tests/conftest.py)


@pytest.fixture(scope="session")
def check_file(worker: ZygoteHandle) -> CheckFile:
    """Check every exercise of the catalogue (default: the sheet) against the file, under a seed
    (default 0), with or without the coach's advice; its report must round-trip."""

    def check(
        path: Path, seed: int = 0, catalogue: Catalogue | None = None, coach: bool = True
    ) -> CheckReport:
        report = check_path(
            path, seed=seed, zygote=worker, limits=FAST, catalogue=catalogue, coach=coach
        )
        data = json.loads(json.dumps(report.to_json()))
        assert CheckReport.from_json(data).to_json() == data
        return report

    return check
