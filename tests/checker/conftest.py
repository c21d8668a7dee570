"""One worker for every checker test, and a way to check a snippet of learner code with it.

Starting the worker costs about a second, so it is started once per session and every
workbook is checked through it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport, ExerciseResult
from tensorlings.checker.sandbox import Limits, ZygoteHandle

# What a learner's file typically starts with: the sheet's imports plus a few common extras.
LEARNER_HEADER = """\
import math
import os

import einops
import numpy as np
import torch
import torch as t
from einops import rearrange, reduce, repeat
"""

CheckSource = Callable[..., dict[str, ExerciseResult]]
CheckFile = Callable[..., CheckReport]


@pytest.fixture(scope="session")
def workbook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workbooks")


@pytest.fixture(scope="session")
def check_file(zygote: ZygoteHandle) -> CheckFile:
    """Check a workbook file with the shared worker; the file itself must be checkable."""

    def check(path: Path, limits: Limits = Limits()) -> CheckReport:
        report = check_path(path, zygote=zygote, limits=limits)
        assert report.error is None, f"{path.name} could not be checked: {report.error}"
        return report

    return check


@pytest.fixture(scope="session")
def reference_workbook_report(workbook_dir: Path, check_file: CheckFile) -> CheckReport:
    """The reference workbook (every exercise's reference solution as a learner's `.py`)
    checked once with the coach, for every test that reads that one report."""
    from tensorlings import workbook

    path = workbook_dir / "reference.py"
    path.write_text(workbook.to_py(workbook.reference_cells()), encoding="utf-8")
    return check_file(path)


@pytest.fixture(scope="session")
def check_source(workbook_dir: Path, check_file: CheckFile) -> CheckSource:
    """Write learner code (after the usual imports) as a `# %%` workbook and check it.

    Returns the results by exercise id.
    """

    def check(name: str, code: str, limits: Limits = Limits()) -> dict[str, ExerciseResult]:
        path = workbook_dir / f"{name}.py"
        path.write_text(f"# %%\n{LEARNER_HEADER}\n# %%\n{textwrap.dedent(code)}", encoding="utf-8")
        report = check_file(path, limits)
        return {result.id: result for result in report.exercises}

    return check
