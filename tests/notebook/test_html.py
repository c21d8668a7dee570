"""The notebook's HTML view of a failing check, as a browser draws it (headless Chromium).

The screenshot is kept in build/artifacts/ (or $TENSORLINGS_TEST_ARTIFACTS) to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tensorlings.checker.check import check_path
from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.notebook.result import NotebookReport
from tensorlings.notebook.runner import _write

pytestmark = pytest.mark.slow

CELLS = [
    "import torch",
    "def batched_softmax(matrix):\n    e = matrix.exp()\n    return e / e.sum(0, keepdim=True)",
    "def as_strided_2():\n    return (2, 3), (4, 1)",
    "def relu_abs(x):\n    return x.abs()",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, zygote: ZygoteHandle) -> Path:
    folder = tmp_path_factory.mktemp("html")
    ids = ["batched_softmax", "as_strided_2", "relu_abs"]
    report = check_path(_write(folder, CELLS), exercise_ids=ids, zygote=zygote)
    html = NotebookReport.joined([report], ids)._repr_html_()
    path = folder / "check.html"
    path.write_text(f"<!doctype html><meta charset=utf-8><body>{html}</body>", encoding="utf-8")
    return path


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed: run tests/setup_chromium.sh (Debian's chromium)")
    return path


def _run(page: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={page.parent / 'profile'}", *flags, page.resolve().as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=page.parent)


def test_the_browser_shows_each_verdict_with_its_marked_cells(page: Path) -> None:
    dom = _run(page, "--dump-dom").stdout
    assert dom.count('class="tensorlings-result"') == 3
    assert dom.count('class="tensorlings-picture"') >= 3  # softmax; as_strided layout + values
    assert 'data-status="failed"' in dom and "✗ batched_softmax" in dom
    assert dom.count('title="differs"') >= 5 + 3  # softmax's 5 cells, as_strided's 3
    assert "input.as_strided(size=(2, 3), stride=(4, 1))" in dom
    assert "memory" in dom and "the view (2, 3)" in dom


def test_the_screenshot_shows_the_marked_cells_in_red(page: Path) -> None:
    png = page.parent / "check.png"
    _run(page, f"--screenshot={png}", "--window-size=1100,1400")
    assert png.exists(), "chromium wrote no screenshot"
    from test_html_png import pixels_near, read_png

    pixels = read_png(png)
    assert pixels_near(pixels, "#ffd7d5") > 500, "no marked cell was drawn"
    assert pixels_near(pixels, "#cf222e") > 200, "no failure mark or outline was drawn"
    artifacts = Path(os.environ.get("TENSORLINGS_TEST_ARTIFACTS", "build/artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, artifacts / "notebook-check.png")
