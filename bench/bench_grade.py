"""Benchmark 4: `tensorlings grade` throughput at --jobs 1 and --jobs 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    BENCH,
    PYTHON,
    ROOT,
    Section,
    command_env,
    fmt_s,
    median,
    tensorlings_cli,
    time_command,
    usable_cores,
)

TARGET_PER_MINUTE = 100.0  # at --jobs 2 on 2 cores, full sandbox, the mixed class of 24


def section_grade(quick: bool) -> Section:
    section = Section("grade", "4. `tensorlings grade` throughput")
    count = 24
    # The target is judged at --jobs 2: the median of three runs (~15 s each here); --jobs 1,
    # only for the speed-up, once.
    runs = {1: 1, 2: 3}
    with tempfile.TemporaryDirectory(prefix="tensorlings-grade-bench-") as tmp:
        command, why = _grade_command(Path(tmp))
        if command is None:
            section.skipped = why
            return section
        if why:
            section.notes.append(why)
        folder = Path(tmp) / "class"
        made = _make_class(folder, count)
        submissions = sorted(str(p) for p in folder.iterdir() if not p.name.startswith("."))
        results: dict[int, list[float]] = {}
        summaries: dict[int, str] = {}
        for jobs in (1, 2):
            results[jobs] = []
            for attempt in range(runs[jobs]):
                out = Path(tmp) / f"out-j{jobs}-{attempt}"
                argv = [*command, *submissions, "--out", str(out), "--jobs", str(jobs),
                        "--allow-weak-isolation"]  # fmt: skip
                elapsed, rc, tail = time_command(argv)
                if rc not in (0, 1):
                    section.skipped = f"`grade --jobs {jobs}` exited {rc}: {tail[-400:]!r}"
                    return section
                results[jobs].append(elapsed)
                summaries[jobs] = " ".join(
                    line.strip()
                    for line in tail.splitlines()
                    if line.startswith("Graded") or re.match(r"\d+ with", line)
                )
        floor = _floor(Path(tmp) / "out-j2-0", folder)
        full, isolation = _isolation(Path(tmp) / "out-j2-0" / "class.json")
    section.header = ["jobs", "wall (median)", "runs", "submissions / minute"]
    for jobs, values in results.items():
        wall = median(values)
        section.rows.append([str(jobs), fmt_s(wall), ", ".join(fmt_s(v) for v in values),
                             f"{count / wall * 60:.1f}"])  # fmt: skip
    speedup = median(results[1]) / median(results[2])
    section.notes += [
        f"{count} submissions made by {made}.",
        f"Wall time of the whole command (start-up, checks, reports): {runs[2]} runs at --jobs 2 "
        f"(the median is judged), {runs[1]} at --jobs 1, each into a fresh --out folder so no "
        "stored result is reused.",
        f"Speed-up of --jobs 2 over --jobs 1: {speedup:.2f}× ({usable_cores()} cores here).",
        f"What grade printed (--jobs 2): {summaries.get(2, '')!r}",
        isolation,
    ]
    per_minute = count / median(results[2]) * 60
    workers = max(min(usable_cores(), 2), 1)
    floor_s = floor.seconds(workers)
    section.notes.append(
        f"Floor: the CPU time the class needs, over {workers} cores: {floor.started} started "
        f"submissions × {fmt_s(floor.reference_cpu_s)} (the CPU of one warm check of the "
        "reference workbook as grade checks it, with memory advice and no timing advice: its "
        f"learner processes, its judge and the next one's sandbox; "
        f"{fmt_s(floor.reference_s)} of wall time, as these overlap) + "
        f"{fmt_s(floor.hazard_s)} spent at the hazards' limits (calls that ran until their time "
        f"limit, from the results) + {fmt_s(floor.start_cpu_s(workers))} to start (torch imported "
        f"once, by the pool's server: {fmt_s(floor.server_cpu_s)}; each of {workers} pool "
        f"processes forks its zygote and imports the checker: {fmt_s(floor.worker_cpu_s)}) = "
        f"{fmt_s(floor_s)}; --jobs 2 took "
        f"{median(results[2]) / floor_s:.2f}× the floor (the rest: the grader's own start-up, "
        "reports, idle cores at the start and the end)."
    )
    section.verdict(
        f"--jobs 2: ≥ {TARGET_PER_MINUTE:g} submissions/min",
        f"{per_minute:.1f} submissions/min ({count / median(results[1]) * 60:.1f} at --jobs 1, "
        f"speed-up {speedup:.2f}×; {median(results[2]) / floor_s:.2f}× the floor of "
        f"{fmt_s(floor_s)})",
        per_minute >= TARGET_PER_MINUTE and full,
    )
    return section


def _isolation(class_json: Path) -> tuple[bool, str]:
    """Whether the run had the full sandbox, as its class.json says, and a note saying so (the
    bench passes --allow-weak-isolation so that a machine without it still measures; the
    target is for the full sandbox only)."""
    isolation = json.loads(class_json.read_text(encoding="utf-8")).get("isolation", {})
    if isolation.get("full"):
        return True, "Isolation: the full sandbox (every layer), as class.json reports."
    missing = ", ".join(isolation.get("missing", [])) or "not reported"
    return False, f"Isolation: WEAK (missing: {missing}); the target is not met without it."


@dataclass(frozen=True)
class _Floor:
    started: int  # submissions with at least one exercise attempted
    reference_s: float  # one warm check of the reference workbook, wall time
    reference_cpu_s: float  # its CPU time, every process of it together
    hazard_s: float  # seconds the graded calls spent running to their limits
    server_cpu_s: float  # what the pool's server imports (torch among it), once per run
    worker_cpu_s: float  # a pool process's start: forking its zygote, importing the checker

    def start_cpu_s(self, workers: int) -> float:
        return self.server_cpu_s + workers * self.worker_cpu_s

    def seconds(self, workers: int) -> float:
        work = self.started * self.reference_cpu_s + self.hazard_s + self.start_cpu_s(workers)
        return work / workers


def _floor(out: Path, folder: Path) -> _Floor:
    """What grading this class cannot take less than, measured: the CPU of a warm check of the
    reference per started submission, the time the hazards spend at their limits, and the CPU
    that starting the pool takes. CPU, not wall time: a check keeps more than one core busy at
    times (the next learner process is forked while one runs), and two checks at once share
    the same cores, so wall time / cores would promise more than the machine has."""
    data = json.loads((out / "class.json").read_text(encoding="utf-8"))
    started = sum(
        1 for s in data["submissions"] if s["summary"]["total"] - s["summary"]["not_started"]
    )
    hazard = 0.0
    for result in (out / "results").glob("*.json"):
        for exercise in json.loads(result.read_text(encoding="utf-8")).get("exercises", []):
            if any(p.get("kind") == "timeout" for p in exercise.get("problems", [])):
                hazard += float(exercise.get("duration_s", 0.0))
    path = folder.parent / "reference_workbook.py"
    from tensorlings import workbook

    path.write_text(workbook.to_py(workbook.reference_cells()), encoding="utf-8")
    one, more = _pool_process(path, checks=1), _pool_process(path, checks=4)
    reference_cpu = (more["session"] - one["session"]) / 3
    worker_cpu = max(one["session"] - reference_cpu, 0.0)
    server_cpu = median([one["server"], more["server"]])
    return _Floor(started, median(more["walls"][1:]), reference_cpu, hazard, server_cpu, worker_cpu)


# A pool process as grade runs it, in a process of its own (it must run no thread to fork
# its zygote): import what the pool's server imports, run as batch work, then fork the zygote,
# import the checker and check the reference workbook CHECKS times, as grade checks (memory
# advice, no timing advice). Prints the CPU of each part, every process of it together.
_POOL_PROCESS = """
import json, resource, sys, time
from pathlib import Path


def used():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


start = used()
import tensorlings.cli, tensorlings.grading.runner, tensorlings.grading.pool_server

server = used() - start
tensorlings.grading.runner._run_as_batch_work()  # as a pool process runs, and all it starts
from tensorlings.checker.sandbox import ZygoteHandle

zygote = ZygoteHandle(spare=True, fork_first=True)
from tensorlings.checker.check import check_path

walls = []
for _ in range(int(sys.argv[2])):
    began = time.perf_counter()
    check_path(Path(sys.argv[1]), zygote=zygote, timing_advice=False)
    walls.append(time.perf_counter() - began)
kind = type(zygote.process).__name__
zygote.close()
session = used() - start - server
print(json.dumps({"server": server, "session": session, "walls": walls, "zygote": kind}))
"""


def _pool_process(path: Path, checks: int) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-c", _POOL_PROCESS, str(path), str(checks)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout)
    assert data["zygote"] == "ForkedZygote", f"the zygote was not forked: {data}"
    return dict(data)


def _grade_command(tmp: Path) -> tuple[list[str] | None, str]:
    """The grade command that works, found by grading one unstarted workbook; None: not ready."""
    try:
        import tensorlings.grading.cli  # noqa: F401
        from tensorlings import workbook
    except Exception as error:  # any import failure means "not ready"
        return None, f"tensorlings.grading does not import ({type(error).__name__}: {error})"
    smoke = tmp / "smoke" / "stub.py"
    smoke.parent.mkdir()
    smoke.write_text(workbook.to_py(workbook.learner_cells()), encoding="utf-8")
    tried = []
    for command in ([*tensorlings_cli(), "grade"], [PYTHON, "-m", "tensorlings.grading"]):
        out = tmp / f"smoke-out-{len(tried)}"
        _, rc, tail = time_command(
            [*command, str(smoke), "--out", str(out), "--jobs", "1", "--allow-weak-isolation"]
        )
        shown = " ".join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))
        if rc in (0, 1):
            if not tried:
                return command, ""
            return command, (
                f"measured with `{shown}` because "
                + "; ".join(tried)
                + " (same grade() entry point underneath)"
            )
        first = tail.strip().splitlines()[0] if tail.strip() else ""
        tried.append(f"`{shown} SUBMISSION --out DIR` exited {rc} (prints {first[:80]!r})")
    return None, "grading does not run: " + "; ".join(tried)


def _make_class(folder: Path, count: int) -> str:
    """The class to grade: bench/make_class.py when present, else copies and broken variants."""
    maker = BENCH / "make_class.py"
    if maker.exists():
        done = subprocess.run(
            [PYTHON, str(maker), str(folder), str(count), "--seed", "0"],
            cwd=ROOT, capture_output=True, text=True, env=command_env(),
        )  # fmt: skip
        if done.returncode == 0:
            return f"bench/make_class.py --seed 0 ({done.stdout.strip()})"
        shutil.rmtree(folder, ignore_errors=True)
    from tensorlings import workbook

    folder.mkdir(parents=True)
    reference = workbook.to_py(workbook.reference_cells())
    stub = workbook.to_py(workbook.learner_cells())
    broken = reference.replace("return torch.where(x > 0, x, 0.0)", "return x")  # relu_where fails
    variants = [reference, reference, broken, stub, "def broken(:\n"]
    for i in range(count):
        (folder / f"student_{i:03d}.py").write_text(variants[i % len(variants)], encoding="utf-8")
    return "bench/run.py's fallback (reference copies, a broken relu_where, stubs, a syntax error)"


# --------------------------------------------------------------------------------------------
# Machine details and RESULTS.md.
