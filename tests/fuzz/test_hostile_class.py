"""One class holding every named hostile upload is graded to the end: each submission gets a
verdict or a clear flag, and every report (CSV, JSON, HTML, JUnit, Gradescope) is written,
even where learner output or a file name holds a lone surrogate."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile import NOTEBOOKS, PYTHON, make_fifo

from tensorlings.grading.grade import grade

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

GOOD = b"""\
import torch
from einops import rearrange


def rearrange_1():
    return rearrange(torch.arange(3, 9), "(r c) -> r c", c=2)
"""
# Output that no file can hold as UTF-8, printed by learner code while it is checked.
PRINTS_SURROGATE = b"""\
def rearrange_1():
    print(chr(0xD800) + "\\x1b[2J")
    raise ValueError(chr(0xDFFF))
"""


def _class(folder: Path) -> list[str]:
    folder.mkdir()
    uploads = {
        "good.py": GOOD,
        "deep.py": PYTHON["a sum of 100k terms"],
        "nul.py": PYTHON["NUL bytes"],
        "nested.ipynb": NOTEBOOKS["nested 100k deep"],
        "number.ipynb": NOTEBOOKS["a source that is a number"],
        "surrogate.ipynb": NOTEBOOKS["a lone surrogate in outputs and source"],
        "prints.py": PRINTS_SURROGATE,
    }
    paths = []
    for name, content in uploads.items():
        (folder / name).write_bytes(content)
        paths.append(str(folder / name))
    make_fifo(folder / "fifo.py")
    paths.append(str(folder / "fifo.py"))
    odd_name = os.fsdecode(bytes(folder) + b"/\xff\xfe.py")  # not UTF-8: a surrogate in Python
    Path(odd_name).write_bytes(GOOD)
    paths.append(odd_name)
    return paths


def test_a_class_of_hostile_uploads_is_graded_and_every_report_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = grade(_class(tmp_path / "class"), out, jobs=1, gradescope=True)
    assert summary.submissions == 9
    for name in ("grades.csv", "junit.xml", "report.html", "class.json"):
        (out / name).read_text(encoding="utf-8")  # written, and valid UTF-8
    rows = {row["name"]: row for row in json.loads((out / "class.json").read_text())["submissions"]}
    assert len(rows) == 9
    for name, row in rows.items():
        verdicts = [e["status"] for e in row["exercises"] if e["status"] != "not_started"]
        assert row["error"] is not None or row["flag"] is not None or verdicts, name
        results = json.loads((out / "gradescope" / name / "results.json").read_text())
        assert results["tests"]
    assert rows["good"]["error"] is None
    assert "nested more than 100 levels deep" in rows["deep"]["error"]["message"]
    assert "not a regular file, so it was not read" in rows["fifo"]["error"]["message"]
    assert "source is int data, not text" in rows["number"]["error"]["message"]
    assert "nested far more deeply" in rows["nested"]["error"]["message"]
    assert rows["surrogate"]["error"] is None
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "\\udfff" in html and "\\udcff" in html  # escaped, never lost
