"""The sheet's own asserts (re-typed in bench/sheet_asserts.py) pass against the references."""

import runpy
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "sheet_asserts.py"


def test_the_sheets_asserts_pass_against_the_reference_solutions(capsys):
    # Run in this process, where torch is already imported (a subprocess spent most of its time
    # importing it); its random draws come from a generator state put back afterwards.
    with torch.random.fork_rng(devices=[]):
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert "Passed!" in capsys.readouterr().out
