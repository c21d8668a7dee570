"""A grader killed with kill -9, then the same command again: nothing lost, nothing redone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from grading_helpers import GOOD, grades_beside

pytestmark = pytest.mark.slow

SLOW = GOOD + "\nimport time\n\ntime.sleep(1.0)  # every check takes a second\n"
COUNT = 4
# After the first result, the rest of the class takes far longer than the test needs to act on
# it (a kill or Ctrl-C), even on a loaded machine where the test itself waits its turn.
SLOWER = SLOW.replace("time.sleep(1.0)", "time.sleep(6.0)")


def write_class(folder: Path) -> None:
    """The first submission quick, the others slow (checked in name order)."""
    for number in range(COUNT):
        code = GOOD if number == 0 else SLOWER
        (folder / f"s{number}.py").write_text(code + f"# learner {number}\n")


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(root: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        fields = _stat(int(entry)) if entry.isdigit() else None
        if fields:
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    return {pid for pid in pids if (fields := _stat(pid)) and fields[0] != "Z"}


def results(out: Path) -> dict[str, os.stat_result]:
    return {p.stem: p.stat() for p in (out / "results").glob("*.json")}


def test_kill_9_midway_then_the_same_command_checks_only_what_was_missing(tmp_path: Path) -> None:
    write_class(tmp_path)
    out = grades_beside(tmp_path)
    workbooks = sorted(str(p) for p in tmp_path.glob("s*.py"))
    command = [sys.executable, "-m", "tensorlings.grading", *workbooks, "--out", str(out)]
    command += ["--jobs", "2"]
    grader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(results(out)) >= 1, 90), "no results came before the kill"
        family = descendants(grader.pid)
    finally:
        os.kill(grader.pid, signal.SIGKILL)
        grader.wait()
    # The pool processes and their zygotes (and any learner child) end with the grader.
    assert wait_for(lambda: not running(family), 15), f"left running: {running(family)}"

    before = results(out)
    assert 1 <= len(before) < COUNT, "the kill came too late to test resuming"
    for name in before:  # every result on disk is whole
        json.loads((out / "results" / f"{name}.json").read_text())

    again = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    missing = COUNT - len(before)
    assert f"({missing} checked now, {len(before)} unchanged since the last run)" in again.stdout

    after = results(out)
    assert sorted(after) == [f"s{n}" for n in range(COUNT)]
    for name, stat in before.items():  # not checked again, not even rewritten
        assert (after[name].st_ino, after[name].st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    summaries = {
        json.dumps(json.loads((out / "results" / f"{n}.json").read_text())["summary"])
        for n in after
    }
    assert len(summaries) == 1  # the same results as an uninterrupted run: all alike
    assert not list((out / "results").glob(".*.tmp"))


def test_ctrl_c_saves_what_is_done_and_exits_130(tmp_path: Path) -> None:
    write_class(tmp_path)
    out = grades_beside(tmp_path)
    workbooks = sorted(str(p) for p in tmp_path.glob("s*.py"))
    command = [sys.executable, "-m", "tensorlings.grading", *workbooks, "--out", str(out)]
    grader = subprocess.Popen(
        [*command, "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert wait_for(lambda: len(results(out)) >= 1, 90), "no results came before Ctrl-C"
        grader.send_signal(signal.SIGINT)
        _, err = grader.communicate(timeout=30)
    finally:
        grader.kill()
    saved = len(results(out))
    assert grader.returncode == 130
    assert err.splitlines()[-1] == (
        f"tensorlings grade: interrupted: {saved} of {COUNT} results are saved in "
        f"{str(out / 'results')!r}; run the same command again to grade the rest"
    )
