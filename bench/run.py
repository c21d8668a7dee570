"""tensorlings' benchmark suite: run by hand, prints a table per section, writes bench/RESULTS.md.

    .venv/bin/python bench/run.py                 # everything (< 10 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick         # fewer repetitions
    .venv/bin/python bench/run.py --only refs     # one section: refs, check, watch or grade

Sections (bench/README.md explains each one and its target):
  1 refs   every reference solution against torch's own equivalent, at realistic sizes
  2 check  `tensorlings check --reference` against the sheet's asserts run as a plain script
  3 watch  re-check latency after a save, with a warm worker
  4 grade  `tensorlings grade` throughput at --jobs 1 and --jobs 2
  5 pack   `pack check`'s engine on both built-in packs (sheet and from_scratch)
  6 notebook  `tensorlings.check(fn)` latency in a warm kernel (bench/bench_notebook.py)

Every target is printed with PASS or FAIL next to the number it judges; nothing is re-run or
re-tuned until it passes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench_check import section_check
from bench_grade import section_grade
from bench_notebook import section_notebook
from bench_pack_check import section_pack_check
from bench_refs import section_refs
from bench_watch import section_watch
from common import (
    BENCH,
    SECTIONS,
    Section,
    load_average,
    machine,
    show,
    usable_cores,
    wait_for_quiet,
    write_results,
)

RUNNERS: dict[str, Callable[[bool], Section]] = {
    "refs": section_refs,
    "check": section_check,
    "watch": section_watch,
    "grade": section_grade,
    "pack": section_pack_check,
    "notebook": section_notebook,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description="tensorlings benchmark suite")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only",
        action="append",
        metavar="SECTION",
        help=f"run only this section ({', '.join(SECTIONS)} or 1-{len(SECTIONS)}); repeatable",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=BENCH / "RESULTS.md",
        help="where to write the results (default bench/RESULTS.md)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="first wait up to SECONDS for the load average to drop below the core count",
    )
    args = parser.parse_args(argv)
    chosen = []
    for item in args.only or SECTIONS:
        key = (
            SECTIONS[int(item) - 1] if item.isdigit() and 1 <= int(item) <= len(SECTIONS) else item
        )
        if key not in RUNNERS:
            parser.error(
                f"unknown section {item!r}; choose from {', '.join(SECTIONS)} or 1-{len(SECTIONS)}"
            )
        chosen.append(key)
    if args.wait_quiet:
        wait_for_quiet(args.wait_quiet)
    machine_details = machine()
    started = time.perf_counter()
    results = []
    for key in SECTIONS:
        if key not in chosen:
            continue
        print(f"\n--- running section {key} ...", flush=True)
        load_before = load_average()
        section_start = time.perf_counter()
        section = RUNNERS[key](args.quick)
        section.seconds = time.perf_counter() - section_start
        section.load = (load_before, load_average())
        if max(section.load) > usable_cores():
            section.notes.append(
                f"WARNING: the machine was busy with other work (1-minute load average "
                f"{section.load[0]:.1f} before, {section.load[1]:.1f} after, on "
                f"{usable_cores()} cores): these numbers are inflated and noisy."
            )
        show(section)
        results.append(section)
    total = time.perf_counter() - started
    write_results(args.results, results, argv, total, machine_details)
    print(f"\nwrote {args.results} ({total:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
