"""What every benchmark shares: result tables, timing, the machine's details, the results file."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
SECTIONS = ("refs", "check", "watch", "grade", "pack", "notebook")


def exercise_count() -> int:
    """How many exercises the built-in catalogue has (the numbers below are for all of them)."""
    from tensorlings import catalogue

    return len(catalogue.exercises())


# --------------------------------------------------------------------------------------------
# Results: one table per section, shown on the console and written as Markdown.


@dataclass
class Section:
    key: str
    title: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, str, str]] = field(default_factory=list)  # (target, measured, P/F)
    extra_tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after

    def verdict(self, target: str, measured: str, ok: bool | None) -> None:
        """ok None: a measurement with no target (shown as INFO)."""
        label = "INFO" if ok is None else "PASS" if ok else "FAIL"
        self.verdicts.append((target, measured, label))


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)])


def show(section: Section) -> None:
    print(f"\n=== {section.title} ===")
    if section.skipped:
        print(f"skipped: {section.skipped}")
        return
    if section.header:
        print(text_table(section.header, section.rows))
    for caption, header, rows in section.extra_tables:
        print(f"\n{caption}")
        print(text_table(header, rows))
    for note in section.notes:
        print(f"  note: {note}")
    for target, measured, verdict in section.verdicts:
        print(f"  {verdict}  target: {target}  measured: {measured}")
    print(
        f"  (section took {section.seconds:.0f} s; load average {section.load[0]:.1f} before, "
        f"{section.load[1]:.1f} after)"
    )


def markdown(section: Section) -> str:
    out = [f"## {section.title}", ""]
    if section.skipped:
        out += [f"skipped: {section.skipped}", ""]
        return "\n".join(out)
    if section.verdicts:
        out += [md_table(["target", "measured", "verdict"], section.verdicts), ""]
    if section.header:
        out += [md_table(section.header, section.rows), ""]
    for caption, header, rows in section.extra_tables:
        out += [caption, "", md_table(header, rows), ""]
    out += [f"- {note}" for note in section.notes]
    out += [
        f"- Section wall time: {section.seconds:.0f} s; 1-minute load average "
        f"{section.load[0]:.2f} before, {section.load[1]:.2f} after.",
        "",
    ]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Timing helpers.


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    """Nearest-rank 90th percentile: the 18th of 20 sorted values."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * 9 // 10))
    return ordered[rank - 1]


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def time_pair(
    first: Callable[[], Any], second: Callable[[], Any], repeats: int, warmup: int = 2
) -> tuple[list[float], list[float]]:
    """Time two callables alternately (so drift hits both alike); returns both lists of times."""
    for _ in range(warmup):
        first()
        second()
    a, b = [], []
    for _ in range(repeats):
        for fn, times in ((first, a), (second, b)):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
            del result
    return a, b


def time_command(argv: Sequence[str], cwd: Path = ROOT) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=command_env())
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode, done.stdout[-2000:] + done.stderr[-2000:]


def command_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "0")
    return env


def tensorlings_cli() -> list[str]:
    script = Path(PYTHON).parent / "tensorlings"
    return [str(script)] if script.exists() else [PYTHON, "-m", "tensorlings"]


# --------------------------------------------------------------------------------------------
# Section 1: reference solutions against torch's own equivalents.

TARGET_FUSED = "≤ 2× torch's fused built-in"
TARGET_SAMPLING = "≤ 1× torch.multinomial"
TARGET_ANY = "≤ 3× torch"
TARGET_LIMIT = {TARGET_FUSED: 2.0, TARGET_SAMPLING: 1.0, TARGET_ANY: 3.0}


@dataclass
class Row:
    name: str  # the reference solution
    size: str
    torch_desc: str
    target: str
    ref: Callable[[], Any]
    torch_fn: Callable[[], Any]
    agree: Callable[[Any, Any], bool]


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def wait_for_quiet(limit: float) -> None:
    """Wait (up to `limit` seconds) for the 1-minute load average to drop below the cores."""
    deadline = time.monotonic() + limit
    while load_average() >= usable_cores() and time.monotonic() < deadline:
        print(f"  waiting for a quiet machine: load {load_average():.1f}", flush=True)
        time.sleep(15)


def machine() -> list[tuple[str, str]]:
    import einops
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    usable = usable_cores()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return [
        ("date", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", cpu),
        ("cores", f"{os.cpu_count()} logical, {usable} usable by this process"),
        ("memory", memory),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("torch", f"{torch.__version__} (threads: {torch.get_num_threads()})"),
        ("einops", einops.__version__),
        ("commit", f"{commit or 'unknown'}" + (" plus uncommitted changes" if dirty else "")),
        ("load average at the start", f"{load_average():.2f} (1 minute, {usable} cores)"),
    ]


def write_results(
    path: Path, sections: list[Section], argv: list[str], total: float, details: list
) -> None:
    command = shlex.join([".venv/bin/python", "bench/run.py", *argv])
    verdicts = [
        [s.title, target, measured, verdict]
        for s in sections
        for target, measured, verdict in s.verdicts
    ]
    for s in sections:
        if s.skipped:
            verdicts.append([s.title, "-", f"skipped: {s.skipped}", "SKIP"])
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py`; bench/README.md explains the sections and the targets.",
        "",
        "Reproduce with:",
        "",
        f"    {command}",
        "",
        md_table(["", ""], details),
        "",
        f"Total wall time: {total:.0f} s.",
        "",
        "## Summary",
        "",
        md_table(["section", "target", "measured", "verdict"], verdicts),
        "",
    ]
    lines += [markdown(s) for s in sections]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
