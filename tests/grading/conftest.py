from __future__ import annotations

import os
import shutil

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
