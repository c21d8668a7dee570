"""Benchmark 5: `tensorlings.check(fn)` latency in a warm notebook kernel.

A real IPython kernel (jupyter_client + ipykernel, the dev dependencies) runs the full reference
workbook's cells (36 exercises defined), checks once to warm the worker, then checks single
functions again and again. Timed inside the kernel (the check call alone) and from the client
(the cell's round trip, as a learner waits for it). Target: median within 0.5 s.

    .venv/bin/python bench/bench_notebook.py [--quick]   # writes its section of RESULTS.md
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from common import BENCH, Section, fmt_s, load_average, machine, md_table, median, p90, show

TARGET_S = 0.5
EXERCISES = ("batched_softmax", "gather_2d", "as_strided_3", "relu_where")
MARK_START = "<!-- bench_notebook: start -->"
MARK_END = "<!-- bench_notebook: end -->"


def _run(client: Any, code: str, timeout: float = 300) -> tuple[str, float]:
    """Execute a cell; what it printed, and the round trip in seconds."""
    start = time.perf_counter()
    msg_id = client.execute(code, store_history=True)
    out = []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            raise RuntimeError(f"the cell failed: {content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), time.perf_counter() - start


def _cells() -> list[str]:
    from tensorlings import workbook

    return [c.text for c in workbook.reference_cells(notebook=False) if c.kind == "code"]


def section_notebook(quick: bool) -> Section:
    from jupyter_client.manager import start_new_kernel

    repeats = 5 if quick else 10
    section = Section("notebook", "6. Notebook: tensorlings.check(fn) in a warm kernel")
    started, load_before = time.perf_counter(), load_average()
    manager, client = start_new_kernel(kernel_name="python3", extra_arguments=[])
    try:
        for code in _cells():
            _run(client, code)
        _run(client, "import time, tensorlings")
        _, first = _run(client, "tensorlings.check(batched_softmax)")
        inside: dict[str, list[float]] = {e: [] for e in EXERCISES}
        trips: dict[str, list[float]] = {e: [] for e in EXERCISES}
        verdicts: dict[str, str] = {}
        for _ in range(repeats):
            for exercise in EXERCISES:
                code = (
                    f"_s = time.perf_counter(); _r = tensorlings.check({exercise}); "
                    "print(repr(_r), time.perf_counter() - _s)"
                )
                text, trip = _run(client, code)
                match = re.search(r"<tensorlings: \S+ (.+)> ([\d.e-]+)", text)
                if match is None:
                    raise RuntimeError(f"unexpected output from the check: {text!r}")
                verdicts[exercise] = match.group(1)
                inside[exercise].append(float(match.group(2)))
                trips[exercise].append(trip)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    section.seconds = time.perf_counter() - started
    section.load = (load_before, load_average())
    every = [t for times in inside.values() for t in times]
    section.header = ["exercise", "verdict", "median (in kernel)", "p90", "median round trip"]
    section.rows = [
        [e, verdicts[e], fmt_s(median(inside[e])), fmt_s(p90(inside[e])), fmt_s(median(trips[e]))]
        for e in EXERCISES
    ]
    section.verdict(
        f"median check of one function within {TARGET_S} s (warm kernel)",
        fmt_s(median(every)),
        median(every) <= TARGET_S,
    )
    section.notes += [
        f"{repeats} checks of each exercise, in turn, after the full reference workbook's "
        f"{len(_cells())} code cells ran in the kernel (so each check loads all 36 exercises' "
        "cells in its isolated worker).",
        f"First check in the kernel (starts the worker, imports torch there): {fmt_s(first)}; "
        "not counted.",
        "In kernel: the time around the tensorlings.check call; round trip: from sending the "
        "cell to the kernel going idle (what a learner waits for).",
    ]
    return section


def write_section(section: Section, path: Path) -> None:
    """Put this benchmark's section into RESULTS.md, replacing its previous one."""
    from common import markdown

    details = md_table(["", ""], machine())
    block = f"{MARK_START}\n{markdown(section)}\n\nMachine:\n\n{details}\n{MARK_END}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        text = before + block + rest.split(MARK_END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    section = section_notebook("--quick" in argv)
    show(section)
    write_section(section, BENCH / "RESULTS.md")
    print(json.dumps({"written": str(BENCH / "RESULTS.md")}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
