"""The sheet's own asserts (re-typed in bench/sheet_asserts.py) pass against the references."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "sheet_asserts.py"


def test_the_sheets_asserts_pass_against_the_reference_solutions():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Passed!" in result.stdout
