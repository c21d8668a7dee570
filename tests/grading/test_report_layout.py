"""The class report reads well at 1280-1920 px, measured in headless Chromium: no horizontal
overflow, no score that wraps, no chart label cut off, no column squeezed into a tall strip.

A screenshot at each width is kept in build/artifacts/ (or $TENSORLINGS_TEST_ARTIFACTS).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from grading_helpers import report

from tensorlings.checker.results import PROBLEM_KINDS, ExerciseResult, FileError, Problem
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports import class_report_html

pytestmark = pytest.mark.slow

PROBE = (Path(__file__).parent / "layout_probe.js").read_text()
# Long ids and names, many problem kinds, unusable workbooks with long messages: a hard page.
IDS = [f"exercise_{n:02d}_with_a_rather_long_descriptive_name" for n in range(36)]


def _result(student: int, position: int, exercise_id: str) -> ExerciseResult:
    if (student + position) % 5 == 0:
        kinds = PROBLEM_KINDS[(student * 3 + position) % len(PROBLEM_KINDS) :][:3]
        problems = tuple(
            Problem(
                k, f"{exercise_id} failed with {k} on a long input " * 3, call=f"{exercise_id}()"
            )
            for k in kinds
        )
        return ExerciseResult(exercise_id, "Section", "failed", problems)
    status = "not_started" if (student * position) % 7 == 3 else "passed"
    return ExerciseResult(exercise_id, "Section", status)


def hard_class() -> list[Graded]:
    graded = []
    for student in range(30):
        name = f"student_with_a_long_university_login_{student:03d}"
        if student % 9 == 4:
            error = FileError("crashed", "the file could not be loaded: " + "x = load() " * 30)
            graded.append(Graded(name, report(f"{name}.py", error=error), flag="unreadable"))
            continue
        results = [_result(student, p, i) for p, i in enumerate(IDS)]
        flag = "untouched_template" if student == 7 else None
        graded.append(Graded(name, report(f"{name}.py", *results), flag=flag))
    return graded


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layout")
    path = folder / "report.html"
    path.write_text(class_report_html(hard_class(), ClassContext(seed=1)))
    return path


def _chromium(chromium: str, folder: Path, width: int, *what: str) -> str:
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={folder / 'profile'}", f"--window-size={width},1000",
        "--hide-scrollbars", *what,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=folder)
    return done.stdout + done.stderr


def measure(chromium: str, page: Path, width: int) -> dict:
    probed = page.with_name(f"probed-{width}.html")
    probed.write_text(page.read_text().replace("</body>", f"<script>{PROBE}</script></body>"))
    dom = _chromium(chromium, page.parent, width, "--dump-dom", probed.resolve().as_uri())
    found = re.search(r'data-layout="([^"]*)"', dom)
    assert found, f"the probe wrote nothing: {dom[-500:]}"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_the_class_report_fits_the_window_without_wrapped_scores_or_cut_labels(
    chromium: str, page: Path, width: int
) -> None:
    layout = measure(chromium, page, width)
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= layout["innerWidth"]  # no horizontal overflow
    assert layout["tableScrolls"] is False  # the table fits its column, no inner scrollbar
    assert layout["scores"] == 2 * 30
    assert layout["wrappedScores"] == []  # "36 / 36" on one line
    assert layout["clippedLabels"] == []
    assert layout["tallNarrow"] == []


def test_screenshots_of_the_report_at_each_width_are_kept(chromium: str, page: Path) -> None:
    folder = Path(
        os.environ.get(
            "TENSORLINGS_TEST_ARTIFACTS", Path(__file__).parents[2] / "build" / "artifacts"
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 1440, 1920):
        png = folder / f"class-report-{width}.png"
        png.unlink(missing_ok=True)
        _chromium(chromium, page.parent, width, f"--screenshot={png}", page.resolve().as_uri())
        assert png.exists() and png.stat().st_size > 20_000, f"no screenshot at {width} px"
