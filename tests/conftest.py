import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from command_runs import CommandRun, RunCommand, check_in, run_main
from tensorlings.checker.sandbox import ZygoteHandle

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# A pytest-xdist worker starts with COLUMNS=80 and LINES=24 in its environment, which the
# command that ran pytest may not have: the CLI then wraps its lines at 80 columns (breaking a
# long tmp path mid-word), where a serial run prints them whole. Each worker takes the
# environment's values from the controller, so a test sees the same console either way.
TERMINAL_SIZE = ("COLUMNS", "LINES")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput["terminal_size"] = {name: os.environ.get(name) for name in TERMINAL_SIZE}


def pytest_configure(config: pytest.Config) -> None:
    given = getattr(config, "workerinput", {}).get("terminal_size")
    for name, value in (given or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules that hold a slow test run first, in their usual order, and the quick ones after.

    pytest-xdist hands each process a whole module at a time (loadscope), so the run ends when
    the last module given out ends: a slow module given out last (xdist's own order puts the
    modules with fewest tests last, and those are the slow ones) keeps one process busy while
    the other has nothing left. Quick modules at the end fill that gap instead
    (`--no-loadscope-reorder` in pyproject.toml keeps this order)."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # stable: each module keeps its order


@pytest.fixture(scope="session")
def zygote() -> Iterator[ZygoteHandle]:
    """One warm worker for every test that checks files (starting one costs about a second)."""
    worker = ZygoteHandle()
    try:
        worker.ready()
        yield worker
    finally:
        worker.close()


@pytest.fixture
def shared_checker(zygote: ZygoteHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    """`main()` called in the test checks in the session's worker instead of starting one (a
    worker's start imports torch, and one closed before it is ready waits for that import)."""
    check_in(zygote, monkeypatch)


@pytest.fixture
def run_tensorlings(zygote: ZygoteHandle, monkeypatch: pytest.MonkeyPatch) -> RunCommand:
    """Run a `tensorlings` command through `main()` in this process (see command_runs.py), a
    check in the worker given, else in the session's."""

    def run(
        *args: str | Path,
        cwd: Path,
        env: dict[str, str] | None = None,
        worker: ZygoteHandle | None = None,
    ) -> CommandRun:
        return run_main(args, cwd=cwd, env=env, worker=worker or zygote, monkeypatch=monkeypatch)

    return run
