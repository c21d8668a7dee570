from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import fake_check

from tensorlings.grading.checking import CheckSettings
from tensorlings.grading.runner import Job, run_local

pytestmark = pytest.mark.slow  # spawns pool processes (without torch: about a second)


def jobs(folder: Path, texts: dict[str, str]) -> list[Job]:
    made = []
    for name, text in texts.items():
        path = folder / f"{name}.py"
        path.write_text(text)
        made.append(Job(name, path, sha256=name))
    return made


def run(todo: list[Job], workers: int) -> dict[str, dict[str, Any]]:
    got: dict[str, dict[str, Any]] = {}

    def on_result(job: Job, data: dict[str, Any]) -> None:
        assert os.getpid() == grader  # results are written by the grader, not by the pool
        assert job.name not in got, f"{job.name} was handed over twice"
        got[job.name] = data

    grader = os.getpid()
    settings = CheckSettings()
    run_local(todo, workers=workers, settings=settings, on_result=on_result, task=fake_check)
    return got


def test_a_workbook_that_kills_its_pool_process_gets_a_crashed_result(tmp_path: Path) -> None:
    texts = {"ann": "ok", "ben": "KILL", "cid": "ok", "dot": "ok", "eli": "ok"}
    got = run(jobs(tmp_path, texts), workers=2)
    assert sorted(got) == sorted(texts)
    assert got["ben"]["error"]["kind"] == "crashed"
    assert got["ben"]["error"]["message"].startswith(
        "the grading process died while checking this workbook, also when it was checked alone"
    )
    for name in ("ann", "cid", "dot", "eli"):  # in flight beside ben or not: none is blamed
        assert got[name]["error"] is None
        assert got[name]["exercises"][0]["status"] == "passed"
    # No pool process outlives the run: an idle one left behind would be joined, forever, when
    # the grader exits.
    assert [p for p in multiprocessing.active_children() if p.is_alive()] == []


def test_one_pool_process_is_reused_for_many_workbooks(tmp_path: Path) -> None:
    got = run(jobs(tmp_path, {f"s{i}": "ok" for i in range(4)}), workers=1)
    assert len({data["isolation"]["pid"] for data in got.values()}) == 1
