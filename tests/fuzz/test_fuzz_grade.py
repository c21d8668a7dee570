"""Random and adversarial workbooks thrown at `check` and at `grade` on a small folder: every
file gets a report (a verdict, or an error that says why), every submission a row, and every
report is written. Few examples: each one runs the isolated worker."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import FUZZ, notebook_bytes, python_bytes

from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport
from tensorlings.checker.sandbox import Limits, ZygoteHandle
from tensorlings.grading.grade import grade

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

FAST = Limits(exercise_seconds=2.0, statement_seconds=2.0)
uploads = st.one_of(
    st.tuples(st.just("py"), python_bytes), st.tuples(st.just("ipynb"), notebook_bytes)
)


@settings(FUZZ, max_examples=12)
@given(uploads)
def test_check_gives_any_upload_a_report(zygote: ZygoteHandle, upload: tuple[str, bytes]) -> None:
    suffix, content = upload
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"workbook.{suffix}"
        path.write_bytes(content)
        report = check_path(path, zygote=zygote, limits=FAST)
    data = json.loads(json.dumps(report.to_json()))
    assert CheckReport.from_json(data).to_json() == data
    assert report.error is None or report.error.message.strip()


@settings(FUZZ, max_examples=2)
@given(st.lists(uploads, min_size=2, max_size=3))
def test_grade_writes_every_report_for_any_uploads(uploads: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        (Path(folder) / "class").mkdir()
        for number, (suffix, content) in enumerate(uploads):
            paths.append(Path(folder) / "class" / f"s{number}.{suffix}")
            paths[-1].write_bytes(content)
        out = Path(folder) / "out"  # beside the submissions: an --out among them is refused
        summary = grade(paths, out, jobs=1, gradescope=True, allow_weak_isolation=True)
        assert summary.submissions == len(uploads)
        rows = json.loads((out / "class.json").read_text("utf-8"))["submissions"]
        assert sorted(row["name"] for row in rows) == [p.stem for p in paths]
        for row in rows:
            assert row["error"] is None or row["error"]["message"].strip()
            assert {e["status"] for e in row["exercises"]} <= {"passed", "failed", "not_started"}
        for name in ("grades.csv", "junit.xml", "report.html"):
            (out / name).read_text(encoding="utf-8")
