"""The `isolation` object says exactly which sandbox layers are active, in both modes, and the
checker works in the weak mode too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tensorlings import catalogue, workbook
from tensorlings.checker import isolation
from tensorlings.checker.check import check_path
from tensorlings.checker.sandbox import Limits, ZygoteHandle
from tensorlings.errors import WorkerError
from tensorlings.grading.isolation import WeakIsolation, probe_isolation
from tensorlings.messages import ProtocolError
from tensorlings.messages.replies import LoadReply, parse_load_reply
from tensorlings.worker import jail

REFERENCE_IDS = ("relu_where", "batched_softmax")


def _reference_file(tmp_path: Path) -> Path:
    path = tmp_path / "reference.py"
    cells = workbook.reference_cells([catalogue.get(i) for i in REFERENCE_IDS])
    path.write_text(workbook.to_py(cells), encoding="utf-8")
    return path


def _assert_shape(data: dict) -> None:
    assert set(data["layers"]) == set(isolation.LAYERS)
    assert all(isinstance(v, bool) for v in data["layers"].values())
    assert data["full"] == all(data["layers"].values())
    reasons = {m.split(":")[0] for m in data["missing"]}
    assert reasons == {layer for layer, on in data["layers"].items() if not on}
    assert all(": " in m and m.split(": ", 1)[1] for m in data["missing"])  # a reason each


def test_the_checker_and_the_worker_agree_on_the_layer_names():
    assert isolation.LAYERS == jail.LAYERS


@pytest.mark.slow
def test_isolation_reports_every_layer_and_says_why_one_is_missing(zygote, tmp_path):
    report = check_path(_reference_file(tmp_path), exercise_ids=REFERENCE_IDS, zygote=zygote)
    data = json.loads(json.dumps(report.to_json()))["isolation"]
    _assert_shape(data)
    assert {"network", "why", "reference_files_hidden"} <= set(data)
    assert all(r.status == "passed" for r in report.exercises)
    if data["layers"]["readonly_system"]:
        assert data["reference_files_hidden"] is True
    if data["layers"]["network_namespace"]:
        assert data["network"] is True


@pytest.mark.slow
def test_weak_mode_is_reported_as_such_and_still_checks(weak_worker, tmp_path):
    report = check_path(_reference_file(tmp_path), exercise_ids=REFERENCE_IDS, zygote=weak_worker)
    data = report.to_json()["isolation"]
    _assert_shape(data)
    assert data["full"] is False
    assert not any(data["layers"].values())
    assert all("TENSORLINGS_SANDBOX=off" in m for m in data["missing"])
    assert all(r.status == "passed" for r in report.exercises)


@pytest.mark.slow
def test_weak_mode_from_the_command_line_prints_the_layers(tmp_path):
    path = _reference_file(tmp_path)
    command = [sys.executable, "-m", "tensorlings", "check", "--json", str(path)]
    env = {"PATH": "/usr/bin:/bin", "TENSORLINGS_SANDBOX": "off"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    data = json.loads(done.stdout)["isolation"]
    assert data["full"] is False and data["layers"]["seccomp"] is False


def test_an_unknown_sandbox_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(isolation.ENV, "maybe")
    with pytest.raises(WorkerError, match="TENSORLINGS_SANDBOX='maybe' is not understood"):
        isolation.zygote_arguments()


def test_an_old_worker_without_a_sandbox_report_counts_as_no_layers():
    loaded = LoadReply((), {}, {}, None, False, "an old worker", "")
    data = isolation.describe({"network_isolated": True, "why": None}, loaded)
    _assert_shape(data)
    assert data["full"] is False
    assert data["reference_files_hidden"] is False


def test_only_a_literal_true_says_the_reference_files_are_hidden():
    wire = {**LoadReply((), {}, {}, None, True, None, "").to_wire(), "reference_files_hidden": 1}
    with pytest.raises(ProtocolError, match="reference_files_hidden is not a boolean"):
        parse_load_reply(wire, frozenset(), frozenset(), 100)


def test_a_report_with_no_worker_lists_every_layer_missing():
    data = isolation.not_started("the file could not be read")
    _assert_shape(data)
    assert data["full"] is False


def test_a_sandbox_only_zygote_says_what_a_real_one_says_and_ends(zygote):
    """The grader's check before a run asks a zygote that never imports torch: it must report
    the same layers as the zygote that checks, and end on its own."""
    probe = ZygoteHandle(sandbox_only=True)
    try:
        info = probe.ready(seconds=30)
        assert probe.process.wait(timeout=30) == 0
    finally:
        probe.close()
    assert info["sandbox"] == zygote.ready()["sandbox"]
    with pytest.raises(WorkerError):
        probe.spawn(Limits())


def test_the_graders_probe_refuses_a_weak_sandbox_before_anything_runs(monkeypatch):
    monkeypatch.setenv("TENSORLINGS_SANDBOX", "off")
    with pytest.raises(WeakIsolation, match=r"missing: user_namespace: turned off"):
        probe_isolation()
