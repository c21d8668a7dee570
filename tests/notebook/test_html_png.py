"""Reading a screenshot's pixels without an imaging library (Chromium writes 8-bit RGB(A) PNG).

No tests here; named test_* only so that pytest puts this folder on the path for test_html."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def read_png(path: Path) -> np.ndarray:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, packed = 8, b""
    width = height = channels = 0
    while at < len(data):
        (size,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + size]
        at += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            packed += body
    rows = np.frombuffer(zlib.decompress(packed), dtype=np.uint8).reshape(height, -1)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    above = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        out[y] = _unfilter(int(rows[y, 0]), rows[y, 1:].astype(np.int32), above, channels)
        above = out[y]
    return out.reshape(height, width, channels).astype(np.uint8)


def _unfilter(kind: int, line: np.ndarray, above: np.ndarray, bpp: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 2:
        return (line + above) % 256
    result = np.zeros_like(line)
    for x in range(len(line)):  # Sub, Average and Paeth depend on the pixel to the left
        left = result[x - bpp] if x >= bpp else 0
        corner = above[x - bpp] if x >= bpp else 0
        if kind == 1:
            guess = left
        elif kind == 3:
            guess = (left + above[x]) // 2
        else:
            p = left + above[x] - corner
            pa, pb, pc = abs(p - left), abs(p - above[x]), abs(p - corner)
            guess = left if pa <= pb and pa <= pc else (above[x] if pb <= pc else corner)
        result[x] = (line[x] + guess) % 256
    return result


def pixels_near(image: np.ndarray, colour: str, tolerance: int = 8) -> int:
    wanted = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image[..., :3].astype(int) - wanted).max(axis=-1) <= tolerance).sum())
