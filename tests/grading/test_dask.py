"""--dask: the same checks sent to a dask.distributed scheduler (a LocalCluster here)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import EXITS, GOOD, grades_beside

from tensorlings.grading import dask_runner
from tensorlings.grading.errors import GradingError
from tensorlings.grading.grade import grade

BOMB = GOOD + "\n\ndef rearrange_2():\n    return torch.zeros(10**11)  # 400 GB\n"


def test_dask_missing_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import now fails
    with pytest.raises(GradingError) as raised:
        dask_runner.connect("tcp://127.0.0.1:8786")
    assert str(raised.value) == (
        "--dask needs dask.distributed, which is not installed; "
        "run: pip install 'tensorlings[dask]'"
    )


@pytest.fixture(scope="module")
def distributed() -> Any:
    return pytest.importorskip(
        "distributed", reason="dask is an optional extra: pip install 'tensorlings[dask]'"
    )


@pytest.fixture(scope="module")
def cluster(distributed: Any) -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as local:
        yield local


@pytest.mark.slow
def test_unreachable_scheduler_says_what_to_check(distributed: Any) -> None:
    with pytest.raises(GradingError, match=r"could not reach the Dask scheduler at 'tcp://127"):
        dask_runner.connect("tcp://127.0.0.1:9", timeout_s=1)


@pytest.mark.slow
def test_dask_grades_each_in_a_limited_process_and_its_worker_survives(
    cluster: Any, tmp_path: Path
) -> None:
    for name, text in {"good": GOOD, "exits": EXITS, "bomb": BOMB}.items():
        (tmp_path / f"{name}.py").write_text(text)
    out = grades_beside(tmp_path)
    workbooks = sorted(tmp_path.glob("*.py"))
    summary = grade(workbooks, out, dask_address=cluster.scheduler_address)
    assert (summary.checked, summary.failed, summary.could_not_check) == (3, 2, 0)
    found = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert {name: data["file"] for name, data in found.items()} == {
        p.stem: str(p) for p in workbooks
    }
    bomb = {e["id"]: e for e in found["bomb"]["exercises"]}["rearrange_2"]
    assert [p["kind"] for p in bomb["problems"]][:1] == ["memory_limit"]
    exits = {e["id"]: e for e in found["exits"]["exercises"]}["rearrange_3"]
    assert "crashed" in [p["kind"] for p in exits["problems"]]
    assert len(cluster.scheduler_info["workers"]) == 1  # the Dask worker is still there


PEEK = """\
def rearrange_1():
    raise ValueError("checked from " + __file__)
"""


@pytest.mark.slow
def test_dask_messages_never_show_the_temporary_copy(cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "peek.py").write_text(PEEK)
    grade([tmp_path / "peek.py"], grades_beside(tmp_path), dask_address=cluster.scheduler_address)
    text = (grades_beside(tmp_path) / "results" / "peek.json").read_text()
    assert "tensorlings-grade-" not in text
    [problem] = {e["id"]: e for e in json.loads(text)["exercises"]}["rearrange_1"]["problems"]
    assert f"checked from {tmp_path / 'peek.py'}" in problem["message"]


@pytest.mark.slow
def test_dask_local_starts_a_cluster_on_this_machine_and_stops_it(
    distributed: Any, tmp_path: Path
) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    summary = grade([tmp_path / "good.py"], grades_beside(tmp_path), dask_address="local")
    assert (summary.checked, summary.failed, summary.could_not_check) == (1, 0, 0)
    data = json.loads((grades_beside(tmp_path) / "results" / "good.json").read_text())
    assert data["file"] == str(tmp_path / "good.py")
