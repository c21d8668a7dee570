"""The coach's timing on a busy machine: wall-clock ratios (what it used to compare) against the
CPU-time ratios of its interleaved rounds, for a solution about 2x slower than the reference.

    .venv/bin/python bench/coach_under_load.py [--runs 5] [--burners 2] [--solution twice|loop]

Spinning processes keep the cores busy while the same workbook is checked `--runs` times; each
check's coach rounds are recorded as they happen.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tensorlings.checker.check import check_path
from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.checker.session import Session

SOLUTIONS = {
    "twice": """
def batched_softmax(matrix):
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp_()
    first = exps / exps.sum(dim=-1, keepdim=True)
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp_()
    return exps / exps.sum(dim=-1, keepdim=True) + 0 * first
""",
    "loop": """
def batched_softmax(matrix):
    rows = [(row - row.max()).exp() for row in matrix]  # one row at a time
    return t.stack([row / row.sum() for row in rows])
""",
}

EVENTS: list[tuple[str, list[float], list[float]]] = []  # (side, wall seconds, CPU seconds)


def _record() -> None:
    run, profile = Session.run, Session.profile_reference

    def recording_run(self: Session, name: str, calls: list[Any], *rest: Any) -> list[Any]:
        results = run(self, name, calls, *rest)
        if calls and calls[0].profile:
            ok = [r for r in results if r.status == "ok"]
            EVENTS.append(("L", [r.seconds for r in ok], [r.cpu_seconds for r in ok]))
        return results

    def recording_profile(self: Session, *args: Any, **kwargs: Any) -> Any:
        got = profile(self, *args, **kwargs)
        EVENTS.append(("R", list(got.seconds), list(got.cpu_seconds)))
        return got

    Session.run = recording_run  # type: ignore[method-assign]
    Session.profile_reference = recording_profile  # type: ignore[method-assign]


def _rounds() -> list[tuple[float, float, float, float]]:
    """(learner wall, reference wall, learner CPU, reference CPU), best of each, per round."""
    rounds, learner_wall, learner_cpu = [], [], []
    for side, wall, cpu in EVENTS:
        if side == "L":
            learner_wall += wall
            learner_cpu += cpu
        elif learner_wall and wall:
            rounds.append((min(learner_wall), min(wall), min(learner_cpu), min(cpu)))
            learner_wall, learner_cpu = [], []
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--solution", choices=sorted(SOLUTIONS), default="twice")
    args = parser.parse_args()
    _record()
    with tempfile.TemporaryDirectory(prefix="coach-load-") as folder:
        path = Path(folder) / "workbook.py"
        path.write_text("import torch as t\n" + SOLUTIONS[args.solution], encoding="utf-8")
        _runs(path, args.runs, args.burners)
    return 0


def _runs(path: Path, runs: int, burners_wanted: int) -> None:
    zygote = ZygoteHandle()
    spin = [sys.executable, "-c", "while True: pass"]
    burners = [subprocess.Popen(spin) for _ in range(burners_wanted)]
    try:
        for run in range(1, runs + 1):
            EVENTS.clear()
            report = check_path(path, zygote=zygote, exercise_ids=["batched_softmax"])
            result = report.exercises[0]
            slow = [p for p in result.problems if p.kind == "slow"]
            rounds = _rounds()
            wall = [f"{lw / max(rw, 1e-4):.1f}" for lw, rw, _, _ in rounds]
            cpu = [f"{lc / max(rc, 1e-4):.1f}" for _, _, lc, rc in rounds]
            print(
                f"run {run}: {result.status}; wall ratio per round {wall}; CPU ratio per round "
                f"{cpu}; advice: {slow[0].message.split(':')[0] if slow else 'none'}"
            )
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
        zygote.close()


if __name__ == "__main__":
    sys.exit(main())
