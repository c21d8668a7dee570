"""The class report as a browser shows it: a screenshot in headless Chromium."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from grading_helpers import small_class

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
