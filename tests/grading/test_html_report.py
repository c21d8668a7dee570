"""The class report as a browser shows it: its DOM and a screenshot in headless Chromium.

The screenshot of the drill-down report is kept as a test artefact in build/artifacts/
(or $TENSORLINGS_TEST_ARTIFACTS).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from grading_helpers import mistakes_class, small_class

from tensorlings.grading.config import parse_config
from tensorlings.grading.model import ClassContext
from tensorlings.grading.reports import class_report_html
from tensorlings.grading.reports.charts import STATUS_COLOURS

pytestmark = pytest.mark.slow


def screenshot(chromium: str, page: Path, folder: Path) -> Path:
    png = folder / "report.png"
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={folder / 'profile'}", f"--screenshot={png}",
        "--window-size=1200,900", page.resolve().as_uri(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=folder)
    assert png.exists(), f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr}"
    return png


def read_png(path: Path) -> np.ndarray:
    """The pixels of an 8-bit RGB or RGBA PNG, as an array of shape (height, width, channels)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth=} {colour=}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            compressed += body
    raw = np.frombuffer(zlib.decompress(compressed), dtype=np.uint8)
    rows = raw.reshape(height, width * channels + 1)
    pixels = np.zeros((height, width * channels), dtype=np.uint8)
    previous = np.zeros(width * channels, dtype=np.uint8)
    for y in range(height):
        pixels[y] = _unfilter(int(rows[y, 0]), rows[y, 1:], previous, channels)
        previous = pixels[y]
    return pixels.reshape(height, width, channels)


def _unfilter(kind: int, line: np.ndarray, above: np.ndarray, bpp: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 2:
        return line + above  # uint8 arithmetic wraps, as PNG's does
    if kind == 1:
        return (
            (line.reshape(-1, bpp).cumsum(axis=0, dtype=np.uint64) % 256).astype(np.uint8).ravel()
        )
    out = bytearray(len(line))
    filtered, up = line.tobytes(), above.tobytes()
    for i in range(len(line)):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 3:
            guess = (left + up[i]) >> 1
        else:
            corner = up[i - bpp] if i >= bpp else 0
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            guess = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
        out[i] = (filtered[i] + guess) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def pixels_near(image: np.ndarray, colour: str, tolerance: int = 8) -> int:
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    distance = np.abs(image[:, :, :3].astype(int) - target).max(axis=2)
    return int((distance <= tolerance).sum())


def test_class_report_renders_its_charts_in_a_browser(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(class_report_html(small_class()), encoding="utf-8")
    png = screenshot(chromium, page, tmp_path)
    assert png.stat().st_size > 20_000, "the screenshot is too small to hold the report"
    image = read_png(png)
    assert image.shape[:2] == (900, 1200)
    colours = np.unique(image[:, :, :3].reshape(-1, 3), axis=0)
    assert len(colours) > 50, "the page rendered as a few flat colours"
    # Bars of the pass-rate chart: solid blocks of the status colours, well above anti-aliasing.
    assert pixels_near(image, STATUS_COLOURS["passed"]) > 2_000
    assert pixels_near(image, STATUS_COLOURS["failed"]) > 2_000


ARTEFACTS = Path(
    os.environ.get("TENSORLINGS_TEST_ARTIFACTS", Path(__file__).parents[2] / "build" / "artifacts")
)


def dump_dom(chromium: str, page: Path, folder: Path, fragment: str = "") -> str:
    """The page's DOM after its script ran, as headless Chromium serialises it."""
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={folder / 'profile'}", "--dump-dom",
        page.resolve().as_uri() + fragment,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=folder)
    assert "</html>" in done.stdout, (
        f"chromium dumped no DOM (exit {done.returncode}): {done.stderr}"
    )
    return done.stdout


class Dom(HTMLParser):
    """Start tags with their attributes and the ids of the elements they sit in, and text."""

    VOID = frozenset(("meta", "br", "input", "img", "link", "hr", "rect", "line", "path"))

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.elements: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.texts: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        inside = tuple(a["id"] for _, a in self.stack if "id" in a)
        self.elements.append((tag, attributes, inside))
        if tag not in self.VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, attributes in self.stack:
            if "id" in attributes:
                self.texts.setdefault(attributes["id"], []).append(data)

    def text(self, element_id: str) -> str:
        return " ".join("".join(self.texts.get(element_id, [])).split())

    def find(self, tag: str, inside: str | None = None, **wanted: str) -> list[dict[str, str]]:
        return [
            a
            for t, a, where in self.elements
            if t == tag
            and (inside is None or inside in where)
            and all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())
        ]


@pytest.fixture(scope="module")
def mistakes_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    config = parse_config({"weights": {"ex_b": 2}, "notes": {"edge_case_cost": 0.5}})
    page.write_text(class_report_html(mistakes_class(), ClassContext(config=config)), "utf-8")
    return page


def test_browser_shows_each_submission_with_its_verdicts_calls_and_notes(
    chromium: str, mistakes_page: Path
) -> None:
    dom = Dom()
    dom.feed(dump_dom(chromium, mistakes_page, mistakes_page.parent, "#student-ann"))
    [ann] = dom.find("details", id="student-ann")
    assert "open" in ann, "a link to the submission opens its panel"
    assert (ann["data-score"], ann["data-percent"]) == ("1", "25")
    rows = [a for a in dom.find("tr", inside="student-ann") if a.get("class") == "verdict"]
    verdicts = {a["data-exercise"]: a for a in rows}
    assert {k: v["data-status"] for k, v in verdicts.items()} == {
        "ex_a": "passed", "ex_b": "failed", "ex_c": "failed",
    }  # fmt: skip
    [problem] = dom.find("li", inside="student-ann", data_mistake="population standard deviation")
    assert problem["class"] == "problem"
    assert "ex_b(x=tensor([1.]))" in dom.text("student-ann")
    assert "got 0.9" in dom.text("student-ann")
    [note] = dom.find("li", inside="student-dan", data_kind="edge_case")
    assert note["class"] == "note"
    [dan] = dom.find("details", id="student-dan")
    assert (dan["data-score"], dan["data-percent"]) == ("3.5", "87.5")  # the note cost half of 1
    assert "open" not in dan


def test_browser_shows_the_shared_mistakes_with_counts_and_an_example(
    chromium: str, mistakes_page: Path
) -> None:
    dom = Dom()
    dom.feed(dump_dom(chromium, mistakes_page, mistakes_page.parent))
    groups = dom.find("div", inside="shared-mistakes")
    assert [(g["data-exercise"], g["data-count"], g["data-submissions"]) for g in groups] == [
        ("ex_b", "3", "ann ben cat"),
        ("ex_c", "2", "ann ben"),
    ]
    text = dom.text("shared-mistakes")
    assert "3 × ex_b: population standard deviation" in text
    assert "Example (ann): ex_c(x=tensor([1.])): wrong values" in text
    links = [a["href"] for a in dom.find("a", inside="shared-mistakes")]
    assert links == ["#student-ann", "#student-ben", "#student-cat", "#student-ann", "#student-ben"]


def test_browser_sorts_the_scores_table(chromium: str, mistakes_page: Path) -> None:
    dom = Dom()
    dom.feed(dump_dom(chromium, mistakes_page, mistakes_page.parent, "#sort=percent-desc"))
    [table] = dom.find("table", id="scores")
    assert table["data-sorted-by"] == "percent-desc"
    rows = [(a["data-submission"], a["data-percent"]) for a in dom.find("tr", inside="scores")
            if "data-submission" in a]  # fmt: skip
    assert rows == [("dan", "87.5"), ("cat", "50"), ("ann", "25"), ("ben", "25"), ("eve", "0")]
    [eve] = dom.find("tr", inside="scores", data_submission="eve")
    assert eve["data-flag"] == "empty"


def test_browser_screenshot_of_the_report_is_kept(chromium: str, mistakes_page: Path) -> None:
    png = screenshot(chromium, mistakes_page, mistakes_page.parent)
    image = read_png(png)
    assert pixels_near(image, STATUS_COLOURS["failed"]) > 100  # the dots and mistake borders
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTEFACTS / "class-report.png")
    assert (ARTEFACTS / "class-report.png").stat().st_size > 20_000
