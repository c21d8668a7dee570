"""A zygote forked from a prepared process (as grading's pool processes start theirs) is what a
freshly started one is: the same sandbox, the same kinds of descriptors and nothing else, no
environment left over, no shared memory of its parent, and the same verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tensorlings import catalogue, workbook

pytestmark = pytest.mark.slow  # two zygotes and four checks, in a process of their own

IDS = ("relu_where", "batched_softmax", "identity_matrix")

HOSTILE = """
import os
import torch


def relu_where(x):
    os.system("id > /tmp/owned")
    return torch.where(x > 0, x, 0.0)


def batched_softmax(matrix):
    return open("/proc/self/environ").read()


def identity_matrix(n):
    return torch.eye(n)
"""

# Run in a fresh process: the test session runs threads, and a process with threads must not
# fork a zygote (ZygoteHandle falls back to a fresh interpreter there).
_SCRIPT = """
import json, multiprocessing, os, sys
from pathlib import Path

from tensorlings.worker import zygote

zygote.prepare()  # as the grading pool's server does
held = multiprocessing.Lock()  # a semaphore in /dev/shm, as a pool process holds

from tensorlings.checker.check import check_path
from tensorlings.checker.sandbox import ZygoteHandle


def kinds(pid):
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        found.append(target.split(":")[0] if ":" in target else target)
    return sorted(found)


out = {}
for how in ("exec", "fork"):
    with ZygoteHandle(spare=True, fork_first=how == "fork") as handle:
        info = handle.ready()
        pid = handle.process.pid
        with open(f"/proc/{pid}/environ", "rb") as environ:
            variables = [v for v in environ.read().split(b"\\0") if v]
        with open(f"/proc/{pid}/maps") as maps:
            shared = [line for line in maps if "/dev/shm/" in line]
        verdicts = {}
        for name in sys.argv[1:]:
            report = check_path(Path(name), zygote=handle, timing_advice=False)
            verdicts[Path(name).name] = sorted(
                (r.id, r.status.value, sorted(p.kind for p in r.problems if p.fails))
                for r in report.exercises
            )
        out[how] = {
            "process": type(handle.process).__name__,
            "sandbox": info["sandbox"],
            "descriptors": kinds(pid),
            "environment": sorted(v.split(b"=")[0].decode() for v in variables),
            "shared": shared,
            "verdicts": verdicts,
        }
print(json.dumps(out))
"""


def test_a_forked_zygote_is_a_fresh_one_in_all_that_learner_code_can_meet(tmp_path: Path) -> None:
    reference = tmp_path / "reference.py"
    reference.write_text(
        workbook.to_py(workbook.reference_cells([catalogue.get(i) for i in IDS])), "utf-8"
    )
    hostile = tmp_path / "hostile.py"
    hostile.write_text(HOSTILE, "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(reference), str(hostile)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    started, forked = (json.loads(done.stdout)[how] for how in ("exec", "fork"))
    assert (started["process"], forked["process"]) == ("Popen", "ForkedZygote")
    assert forked["sandbox"] == started["sandbox"]
    assert forked["descriptors"] == started["descriptors"]
    # An exec'd zygote's /proc/<pid>/environ is what the checker gave it; a forked one's, its
    # parent's, wiped (its own variables live where the C library put them since).
    assert set(started["environment"]) <= {"PATH", "LANG", "MALLOC_MMAP_THRESHOLD_"}
    assert forked["environment"] == []
    assert forked["shared"] == [] == started["shared"]
    assert forked["verdicts"] == started["verdicts"]
    hostile = {row[0]: (row[1], row[2]) for row in forked["verdicts"]["hostile.py"]}
    assert hostile["relu_where"] == ("failed", ["tampering"])  # os.system
    assert hostile["batched_softmax"][0] == "failed"  # reading its own environment
    assert hostile["identity_matrix"] == ("failed", ["forbidden_call"])
    passed = {row[0]: row[1] for row in forked["verdicts"]["reference.py"] if row[0] in IDS}
    assert passed == {i: "passed" for i in IDS}
