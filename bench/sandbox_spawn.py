"""What the sandbox costs: fork a child, load a one-exercise workbook, run one call, close it,
with the full sandbox and in the weak mode (TENSORLINGS_SANDBOX=off). Run by hand:

    .venv/bin/python bench/sandbox_spawn.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tensorlings import catalogue, workbook
from tensorlings.checker.check import check_path
from tensorlings.checker.sandbox import Limits, ZygoteHandle

ROUNDS = 15


def _spawn_close(zygote: ZygoteHandle) -> float:
    started = time.perf_counter()
    zygote.spawn(Limits()).close()
    return time.perf_counter() - started


def _check_one(zygote: ZygoteHandle, path: Path) -> float:
    started = time.perf_counter()
    check_path(path, exercise_ids=["relu_abs"], zygote=zygote, coach=False)
    return time.perf_counter() - started


def measure(mode: str, path: Path) -> tuple[float, float, bool]:
    os.environ["TENSORLINGS_SANDBOX"] = mode
    with ZygoteHandle() as zygote:
        full = bool(zygote.ready().get("sandbox", {}).get("full"))
        _spawn_close(zygote), _check_one(zygote, path)  # warm-up
        spawns = [_spawn_close(zygote) for _ in range(ROUNDS)]
        checks = [_check_one(zygote, path) for _ in range(ROUNDS)]
    return statistics.median(spawns), statistics.median(checks), full


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workbook.py"
        cells = workbook.reference_cells([catalogue.get("relu_abs")])
        path.write_text(workbook.to_py(cells), encoding="utf-8")
        print(
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; medians of {ROUNDS}"
        )
        for mode in ("on", "off"):
            spawn, check, full = measure(mode, path)
            label = "full sandbox" if full else f"weak ({mode})"
            print(f"{label:14s} spawn+close {spawn * 1000:7.1f} ms", end="   ")
            print(f"check one exercise {check * 1000:7.1f} ms")
    sys.exit(0)


if __name__ == "__main__":
    main()
