"""A workbook far larger than any real one is refused with a clear error before it is read."""

from __future__ import annotations

import os
import time

import pytest

from tensorlings.checker.source import MAX_WORKBOOK_BYTES, read_workbook
from tensorlings.errors import WorkbookError


def test_a_huge_sparse_upload_is_refused_without_being_read(tmp_path):
    path = tmp_path / "workbook.py"
    with open(path, "wb") as handle:
        handle.truncate(3 * 2**30)  # 3 GiB of holes: no disk used, but read_text would load it
    started = time.monotonic()
    with pytest.raises(WorkbookError, match="more than a workbook's limit"):
        read_workbook(path)
    assert time.monotonic() - started < 5
    assert os.path.getsize(path) > MAX_WORKBOOK_BYTES


def test_an_ordinary_workbook_is_still_read(tmp_path):
    path = tmp_path / "workbook.py"
    path.write_text("def relu_abs(x):\n    return x\n" + "#" * 4096 + "\n")
    assert read_workbook(path).cells
