import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

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


@pytest.fixture(scope="session")
def zygote() -> Iterator[ZygoteHandle]:
    """One warm worker for every test that checks files (starting one costs about a second)."""
    worker = ZygoteHandle()
    try:
        worker.ready()
        yield worker
    finally:
        worker.close()
