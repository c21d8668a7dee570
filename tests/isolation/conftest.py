"""One worker for the hazard tests, and workbooks that put one hazard beside healthy exercises.

Starting the worker costs about a second, so the hazards share it; a hazard that damages the
worker itself gets a worker of its own (`own_worker`).
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tensorlings import catalogue, workbook
from tensorlings.checker.check import check_path
from tensorlings.checker.isolation import ENV
from tensorlings.checker.results import CheckReport
from tensorlings.checker.sandbox import Limits, ZygoteHandle

# Short limits keep every hazard quick; each still fails only the exercise that hit it.
FAST = Limits(exercise_seconds=1.0, statement_seconds=2.0)
# Reference solutions written next to every hazard: they must pass whatever the hazard does.
HEALTHY = ("batched_softmax", "relu_where", "collect_rows")
HEADER = "# %%\nimport torch\nimport torch as t\nfrom einops import rearrange, reduce, repeat\n"

CheckHazard = Callable[..., CheckReport]


@pytest.fixture(scope="session")
def worker(zygote: ZygoteHandle) -> ZygoteHandle:
    return zygote  # the session's shared worker (tests/conftest.py)


@pytest.fixture
def own_worker() -> Iterator[ZygoteHandle]:
    """A worker for a hazard that may kill or stop the worker itself.

    A dead worker cannot clean up after its children, so their working directories are
    recorded and removed here rather than left in /tmp.
    """
    zygote = ZygoteHandle()
    workdirs: list[str] = []
    spawn = zygote.spawn

    def recording_spawn(*args: Any, **kwargs: Any) -> Any:
        child = spawn(*args, **kwargs)
        workdirs.append(workdir_of(child.pid))
        return child

    zygote.spawn = recording_spawn
    try:
        zygote.ready()
        yield zygote
    finally:
        zygote.close()
        for workdir in workdirs:
            shutil.rmtree(workdir, ignore_errors=True)


def workdir_of(pid: int) -> str:
    """The working directory a freshly forked child moves into (it does so first thing)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            break
        if "tensorlings-work-" in cwd:
            return cwd
        time.sleep(0.01)
    raise AssertionError(f"child {pid} never moved into a tensorlings-work- directory")


@pytest.fixture(scope="session")
def weak_worker() -> Iterator[ZygoteHandle]:
    """A worker in the weak mode (TENSORLINGS_SANDBOX=off), for hazards observed through files
    the learner's code writes on the host, which the full sandbox does not allow."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, "off")
        zygote = ZygoteHandle()
    try:
        zygote.ready()
        yield zygote
    finally:
        zygote.close()


@pytest.fixture
def spawned_workdirs(worker: ZygoteHandle, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The working directory of every child the shared worker starts during the test.

    Other checkers on the machine may create and remove their own /tmp/tensorlings-work-*
    at any moment, so a test looks only at the directories of its own children.
    """
    return record_workdirs(worker, monkeypatch)


@pytest.fixture
def weak_spawned_workdirs(weak_worker: ZygoteHandle, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return record_workdirs(weak_worker, monkeypatch)


def record_workdirs(worker: ZygoteHandle, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    workdirs: list[str] = []
    spawn = worker.spawn

    def recording_spawn(*args: Any, **kwargs: Any) -> Any:
        child = spawn(*args, **kwargs)
        workdirs.append(workdir_of(child.pid))
        return child

    monkeypatch.setattr(worker, "spawn", recording_spawn)
    return workdirs


@pytest.fixture(scope="session")
def healthy_source() -> str:
    return workbook.to_py(workbook.reference_cells([catalogue.get(i) for i in HEALTHY]))


@pytest.fixture
def check_hazard(worker: ZygoteHandle, healthy_source: str, tmp_path: Path) -> CheckHazard:
    """Write the imports, then the hazard cell, then the healthy reference cells; check them.

    The hazard comes first in the file and its exercises are judged first, so whatever it
    breaks is still broken when the healthy exercises run. The report must survive a JSON
    round trip.
    """

    def check(
        hazard: str,
        ids: Sequence[str] = ("relu_abs",),
        *,
        limits: Limits = FAST,
        zygote: ZygoteHandle | None = None,
        name: str = "hazard",
    ) -> CheckReport:
        path = tmp_path / f"{name}.py"
        path.write_text(
            f"{HEADER}\n# %%\n{textwrap.dedent(hazard)}\n{healthy_source}", encoding="utf-8"
        )
        report = check_path(
            path, limits=limits, exercise_ids=[*ids, *HEALTHY], zygote=zygote or worker
        )
        data = json.loads(json.dumps(report.to_json()))
        assert CheckReport.from_json(data).to_json() == data
        return report

    return check


@pytest.fixture
def runtime_layer_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch off the allowlist's source scan, so a test sees what the second layer (the
    worker's audit hook, recorder and load budget) does with code the scan would refuse."""
    from tensorlings.checker import source_scan

    monkeypatch.setattr(source_scan, "acts", lambda facts: [])
