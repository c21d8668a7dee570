"""Benchmark 3: re-check latency after a save, with a warm worker."""

from __future__ import annotations

import queue
import random
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from common import (
    Section,
    command_env,
    exercise_count,
    fmt_s,
    median,
    p90,
    tensorlings_cli,
)


def edit_one_function(text: str, name: str, stamp: int) -> str:
    """The workbook with a no-op statement added at the top of `name`'s body: the save a
    learner makes while working on that exercise (its code changes, the others' do not)."""
    import ast

    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            first = node.body[0]
            indent = " " * first.col_offset
            lines.insert(first.lineno - 1, f"{indent}_save = {stamp}\n")
            return "".join(lines)
    return text + f"\n# save {stamp}\n"


def section_watch(quick: bool) -> Section:
    from tensorlings import catalogue, workbook
    from tensorlings.checker.check import check_path
    from tensorlings.checker.incremental import IncrementalChecker
    from tensorlings.checker.sandbox import Limits, ZygoteHandle

    saves = 12 if quick else 36
    section = Section("watch", "3. Watch: re-check latency after a save")
    base = workbook.to_py(workbook.reference_cells())
    ids = list(catalogue.ids())
    incremental: list[float] = []
    full: list[float] = []
    slowest: dict[str, float] = {}
    bad: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tensorlings-bench-") as tmp:
        path = Path(tmp) / "workbook.py"
        path.write_text(base, encoding="utf-8")
        zygote = ZygoteHandle(spare=True)  # as watch starts it
        try:
            start = time.perf_counter()
            # As `tensorlings watch` checks: one warm worker, unchanged verdicts kept.
            checker = IncrementalChecker(zygote, seed=0, limits=Limits(), coach=False)
            checker.check(path)
            first = time.perf_counter() - start
            for i in range(saves):
                name = ids[i % len(ids)]
                path.write_text(edit_one_function(base, name, i), encoding="utf-8")
                start = time.perf_counter()
                report = checker.check(path)
                incremental.append(elapsed := time.perf_counter() - start)
                slowest[name] = max(slowest.get(name, 0.0), elapsed)
                if report.exit_code != 0:
                    bad.append(f"save {i} ({name}): exit code {report.exit_code}")
            for i in range(max(4, saves // 6)):  # every exercise again: what `check` pays
                path.write_text(base + f"\n# full {i}\n", encoding="utf-8")
                start = time.perf_counter()
                check_path(path, zygote=zygote, coach=False)
                full.append(time.perf_counter() - start)
        finally:
            zygote.close()
        end_to_end, e2e_note = _watch_subprocess(Path(tmp) / "e2e", base, min(saves, 20))

    section.header = ["measurement", "saves", "median", "p90", "min", "max"]
    rows = [
        ("write → watch's re-check returns (one function changed per save, rotating through "
         f"all {len(ids)} exercises; warm worker)", incremental),
        ("write → `tensorlings watch` prints that save's result (rearrange_1 changed)",
         end_to_end),
        ("every exercise re-checked (check_path, coach=False, warm worker)", full),
    ]  # fmt: skip
    for label, values in rows:
        if values:
            spread = [fmt_s(f(values)) for f in (median, p90, min, max)]
            section.rows.append([label, str(len(values)), *spread])
    section.notes.append(
        f"First check with a freshly started worker (torch import included): {fmt_s(first)}; "
        "not counted. `tensorlings watch` re-checks only the exercises whose code changed "
        "(src/tensorlings/checker/incremental.py: an exercise's key covers its function, the "
        "helpers it calls and every top-level statement that is not a function), so a save "
        "re-checks the exercise being worked on; the last row is the cost when everything "
        "must be re-checked (a change to an import or a module-level constant)."
    )
    worst = sorted(slowest.items(), key=lambda item: -item[1])[:5]
    section.notes.append(
        "Slowest single-exercise re-checks: "
        + ", ".join(f"{name} {fmt_s(seconds)}" for name, seconds in worst)
    )
    if e2e_note:
        section.notes.append(e2e_note)
    if bad:
        section.notes.append("the reference workbook did not pass every time: " + "; ".join(bad))
    section.notes.append(
        "p90 is nearest-rank. Each save adds a no-op statement to one function of the full "
        "reference workbook, so the file's code really changes, as when a learner edits."
    )
    section.verdict(
        "median watch re-check (warm worker) ≤ 0.3 s",
        f"median {fmt_s(median(incremental))}, p90 {fmt_s(p90(incremental))}",
        median(incremental) <= 0.3,
    )
    return section


REARRANGE_1 = '    return rearrange(torch.arange(3, 9), "(rows cols) -> rows cols", cols=2)'


def _watch_subprocess(folder: Path, base: str, saves: int) -> tuple[list[float], str]:
    """Save, then wait for `tensorlings watch` to print that save's result; optional measurement.

    Saves alternate between the reference workbook and the same with rearrange_1 unstarted, so
    each result's summary line tells which content it checked: a result for older content (a
    re-check nobody asked for) is counted, not mistaken for the new save's.
    """
    folder.mkdir()
    path = folder / "workbook.py"
    path.write_text(base, encoding="utf-8")
    if base.count(REARRANGE_1) == 1:
        contents = [
            (base, f"{exercise_count()} passed"),
            (base.replace(REARRANGE_1, "    pass"), "1 not started"),
        ]
    else:  # the reference changed: no way to tell results apart
        contents = [(base, "")]
    marker = "Watching for saves"
    process = subprocess.Popen(
        [*tensorlings_cli(), "watch", str(path)],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=command_env(),
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()

    def reader() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put((time.perf_counter(), line))

    threading.Thread(target=reader, daemon=True).start()
    stale: list[str] = []  # summaries of results for content that was not the latest save

    def wait_for_result(expected: str, timeout: float) -> float | None:
        """When the result for content whose summary contains `expected` was printed."""
        summary = ""
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            try:
                stamp, line = lines.get(timeout=left)
            except queue.Empty:
                return None
            if " passed, " in line:
                summary = line
            elif marker in line:
                if expected in summary:
                    return stamp
                stale.append(summary.strip())
        return None

    times: list[float] = []
    note = ""
    jitter = random.Random(0)
    try:
        if wait_for_result(contents[0][1], 120) is None:
            return [], "end-to-end `tensorlings watch`: no first result within 120 s; not measured"
        for i in range(saves):
            text, expected = contents[(i + 1) % len(contents)]
            # Let the watcher settle into waiting. The pause is jittered: a fixed pause that is a
            # multiple of the watcher's 0.1 s poll would land every save on a poll tick.
            time.sleep(jitter.uniform(0.15, 0.35))
            start = time.perf_counter()
            path.write_text(text + f"\n# save {i}\n", encoding="utf-8")
            stamp = wait_for_result(expected, 60)
            if stamp is None:
                note = f"end-to-end `tensorlings watch`: no result within 60 s of save {i}"
                break
            times.append(stamp - start)
        # A re-check nobody asked for may still be running: give it time to show itself.
        wait_for_result("no such summary", 5)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if times and not note:
        note = (
            "end-to-end: time from the write to the line 'Watching for saves' that "
            "`tensorlings watch` prints after checking that save (file events, render, progress "
            "file included; a random 0.15-0.35 s pause before each save is not counted). "
            "Saves alternate "
            "between the reference and the reference with rearrange_1 unstarted, and each is "
            "written in place (truncate, then write, as most editors save), so each result is "
            "matched to its content. "
        )
        if stale:
            seen = sorted(set(stale))
            note += (
                f"Results for content that was never saved whole or was already checked: "
                f"{len(stale)} in {len(times)} saves, summaries {seen!r}; a save's time "
                "includes waiting for such a re-check to finish."
            )
        else:
            note += "No result for content other than a whole save was printed."
    return times, note


# --------------------------------------------------------------------------------------------
# Section 4: grading throughput.
