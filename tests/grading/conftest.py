from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# The full sandbox lands with issue 11's worker; until a machine has every layer, grading in
# these tests runs with weak isolation allowed. Tests of the refusal itself unset this.
os.environ.setdefault("TENSORLINGS_ALLOW_WEAK_ISOLATION", "1")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed: run tests/setup_chromium.sh (Debian's chromium)")
    return path


@pytest.fixture(autouse=True)
def _hash_seed_kept() -> Iterator[None]:
    """dask sets PYTHONHASHSEED in this process's own environment when it starts a cluster
    (dask/multiprocessing.py); put it back after each test, or every grade run later in the
    session starts its pool's server with a fixed hash seed, which no fresh zygote has, and
    its pool processes do not fork their zygotes (grading/pool_server.py)."""
    before = os.environ.get("PYTHONHASHSEED")
    yield
    if before is None:
        os.environ.pop("PYTHONHASHSEED", None)
    else:
        os.environ["PYTHONHASHSEED"] = before
