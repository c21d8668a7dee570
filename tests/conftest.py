import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tensorlings.checker.sandbox import Zygote

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    """One warm worker for every test that checks files (starting one costs about a second)."""
    worker = Zygote()
    try:
        worker.ready()
        yield worker
    finally:
        worker.close()
