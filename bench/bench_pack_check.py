"""Benchmark 5: `pack check`'s engine on both built-in packs ("fast enough to run on every save").

Times `check_pack` on the sheet's pack and on the from_scratch pack: warm (in a process that has
already imported torch and checked the pack once, as a watch loop would) and cold (a fresh
Python process, imports included, as one command run from a save hook would).
"""

from __future__ import annotations

import importlib
import subprocess
import time

from common import PYTHON, ROOT, Section, command_env, fmt_s, median

TARGET_SECONDS = 5.0  # "a few seconds" per pack, on the 2-core machine
_COLD = """
import sys, importlib
from tensorlings.authoring.soundness import check_pack
from tensorlings import catalogue
from tensorlings.packs import from_scratch
if sys.argv[1] == "sheet":
    exercises = catalogue.exercises()
else:
    modules = [importlib.import_module("tensorlings.packs.from_scratch." + name)
               for name in from_scratch.SECTIONS]
    exercises = [ex for module in modules for ex in module.EXERCISES]
report = check_pack(exercises)
sys.exit(0 if report.clean else 1)
"""


def _packs() -> dict[str, list[object]]:
    from tensorlings import catalogue
    from tensorlings.packs import from_scratch

    modules = [
        importlib.import_module(f"tensorlings.packs.from_scratch.{name}")
        for name in from_scratch.SECTIONS
    ]
    return {
        "sheet": list(catalogue.exercises()),
        "from_scratch": [ex for module in modules for ex in module.EXERCISES],
    }


def _cold(pack: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", _COLD, pack], cwd=ROOT, capture_output=True, env=command_env()
    )
    return time.perf_counter() - start, done.returncode


def section_pack_check(quick: bool) -> Section:
    from tensorlings.authoring.soundness import check_pack

    repeats = 2 if quick else 5
    section = Section("pack", "5. `pack check`: soundness engine on both built-in packs")
    section.header = ["pack", "exercises", "mutants tried", "findings", "warm median", "warm min",
                      "cold median (fresh process)"]  # fmt: skip
    for pack, exercises in _packs().items():
        check_pack(exercises)  # warm-up: imports, torch's first calls
        times, report = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            report = check_pack(exercises)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        assert report is not None
        colds = [_cold(pack) for _ in range(1 if quick else 3)]
        cold, code = median([c[0] for c in colds]), max(c[1] for c in colds)
        tried = sum(a.tried for a in report.audits)
        section.rows.append([pack, str(report.exercises), str(tried), str(len(report.findings)),
                             fmt_s(median(times)), fmt_s(min(times)),
                             f"{fmt_s(cold)} (exit {code})"])  # fmt: skip
        section.verdict(
            f"{pack}: cold run ≤ {TARGET_SECONDS:g} s",
            f"{fmt_s(cold)} (warm median {fmt_s(median(times))})",
            cold <= TARGET_SECONDS,
        )
    section.notes.append(
        f"warm: median of {repeats} runs of check_pack in one process after one warm-up run; "
        "cold: median of 3 fresh `python -c` runs of check_pack (1 with --quick), imports of "
        "torch (about 2.4 s of it on this machine) and tensorlings included"
    )
    return section


if __name__ == "__main__":
    from common import show

    show(section_pack_check(quick=False))
