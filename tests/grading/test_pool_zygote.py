"""Learner code under `tensorlings grade`, whose zygotes are forked from the pool's processes
(grading/pool_server.py), meets what it meets under `tensorlings check`, whose zygote is a fresh
`python -I`: nothing of the grader's command line (other submissions' names, the secret seed) or
state, and the same verdicts whatever the grader's own interpreter settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import fresh_start_environment

pytestmark = pytest.mark.slow  # each fixture runs a whole grade (a pool and its zygote)

SEED = "4242"
OTHER = "zed_other_student"  # a second submission: its name must not reach the first one
GRADER_KEY = b"the grader's own multiprocessing key"

# Reports what it sees in its exception's message, the one channel back to its own report.
PROBE = """
import sys

import torch


def relu_where(x):
    import json
    import signal

    mp = sys.modules.get("multiprocessing")
    facts = {
        "forked": "concurrent.futures.process" in sys.modules,
        "argv": sys.argv,
        "orig_argv": sys.orig_argv,
        "cmdline": open("/proc/self/cmdline", "rb").read().rstrip(b"\\0").decode(),
        "sigint": str(signal.getsignal(signal.SIGINT)),
        "authkey": mp.current_process().authkey.hex() if mp else "",
        "process": [mp.current_process().name, mp.parent_process()] if mp else [],
        "flags": [sys.flags.ignore_environment, sys.flags.isolated, sys.flags.safe_path],
        "stdio": [[s.name, s.errors] for s in (sys.__stdin__, sys.__stdout__, sys.__stderr__)],
    }
    raise RuntimeError("FACTS" + json.dumps(facts, default=str) + "STCAF")


def batched_softmax(matrix):
    return torch.softmax(torch.tensor(matrix), dim=-1)  # torch warns: a copy of a tensor


def identity_matrix(n):
    assert n < 0, "the learner's own assert"
    return torch.zeros(n, n)


def relu_abs(x):
    breakpoint()  # left in after debugging
    return (x + x.abs()) / 2
"""

# A grading script (as the docs show for grade()): its main module runs again in each pool
# process, where the guarded part does not.
SCRIPT = """
import multiprocessing
import sys

from tensorlings.cli import main

if __name__ == "__main__":
    multiprocessing.current_process().authkey = KEY
    raise SystemExit(main(["grade", *sys.argv[1:]]))
"""


def _grade(tmp_path: Path, environment: dict[str, str]) -> dict[str, Any]:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(PROBE, "utf-8")
    (folder / f"{OTHER}.py").write_text("import torch\n", "utf-8")
    script = tmp_path / "grade_class.py"
    script.write_text(SCRIPT.replace("KEY", repr(GRADER_KEY)), "utf-8")
    command = [sys.executable, str(script), str(folder / "ada.py"), str(folder / f"{OTHER}.py")]
    command += ["--out", str(tmp_path / "out"), "--jobs", "1", "--seed", SEED]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**fresh_start_environment(), **environment},
        cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    report = json.loads((tmp_path / "out" / "results" / "ada.json").read_text("utf-8"))
    return {row["id"]: row for row in report["exercises"]}


def _facts(exercises: dict[str, Any]) -> dict[str, Any]:
    for problem in exercises["relu_where"]["problems"]:
        message = problem["message"]
        if "FACTS" in message:
            return dict(json.loads(message.rsplit("FACTS", 1)[1].split("STCAF", 1)[0]))
    raise AssertionError(f"the probe reported nothing: {exercises['relu_where']}")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _grade(tmp_path_factory.mktemp("plain"), {})


@pytest.fixture(scope="module")
def facts(graded: dict[str, Any]) -> dict[str, Any]:
    found = _facts(graded)
    assert found["forked"], "the zygote was not forked: these tests would prove nothing"
    return found


def test_a_forked_zygote_shows_neither_other_submissions_nor_the_seed_in_sys_argv(
    facts: dict[str, Any],
) -> None:
    assert not [a for a in facts["argv"] if OTHER in a or SEED in a or "grade" in a]
    assert facts["argv"][0].endswith("zygote.py")


def test_a_forked_zygote_shows_the_command_line_of_a_fresh_zygote(facts: dict[str, Any]) -> None:
    # Not the forkserver's, which holds the grader's sys.path (its working folder).
    command = facts["cmdline"].split("\0")
    assert facts["orig_argv"][1:4] == ["-I", "-m", "tensorlings.worker.zygote"]
    assert command == facts["orig_argv"]
    assert "multiprocessing" not in facts["cmdline"]


def test_learner_code_under_grade_gets_pythons_own_ctrl_c_handler(facts: dict[str, Any]) -> None:
    # The pool process ignores SIGINT (the grader handles Ctrl-C); a fresh zygote does not.
    assert facts["sigint"] == "<built-in function default_int_handler>"


def test_learner_code_under_grade_holds_no_multiprocessing_identity_of_the_grader(
    facts: dict[str, Any],
) -> None:
    assert facts["authkey"] not in ("", GRADER_KEY.hex())
    assert facts["process"] == ["MainProcess", None]  # not a pool process of the grader's


def test_learner_code_under_grade_gets_standard_streams_as_a_fresh_zygote_has_them(
    facts: dict[str, Any],
) -> None:
    # What `python -I` makes of descriptors 0-2 under the zygote's C.UTF-8 locale.
    assert facts["stdio"] == [
        ["<stdin>", "surrogateescape"],
        ["<stdout>", "surrogateescape"],
        ["<stderr>", "backslashreplace"],
    ]


def test_a_left_in_breakpoint_gets_the_same_verdict_under_grade_as_under_check(
    graded: dict[str, Any], facts: dict[str, Any], tmp_path: Path
) -> None:
    """A forked zygote keeps the flags its interpreter started with (not `-I`'s), so
    PYTHONBREAKPOINT reaches it; the child sets sys.breakpointhook itself, so that a
    breakpoint() does nothing under both (no debugger, no trace hook), as the docs say."""
    probe = tmp_path / "ada.py"
    probe.write_text(PROBE, "utf-8")
    command = [sys.executable, "-m", "tensorlings", "check", str(probe), "--json"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=fresh_start_environment(),
    )
    checked = {row["id"]: row for row in json.loads(done.stdout)["exercises"]}

    def problems(row: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((p["kind"], p["message"]) for p in row["problems"])

    assert problems(graded["relu_abs"]) == problems(checked["relu_abs"])
    assert not [m for _, m in problems(checked["relu_abs"]) if "trace hook" in m]


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Graded by an interpreter started with settings a fresh `python -I` ignores."""
    settings = {"PYTHONWARNINGS": "error", "PYTHONOPTIMIZE": "1"}
    return _grade(tmp_path_factory.mktemp("configured"), settings)


def test_the_graders_warning_filters_do_not_reach_learner_code(
    configured: dict[str, Any],
) -> None:
    messages = [p["message"] for p in configured["batched_softmax"]["problems"]]
    assert not [m for m in messages if "UserWarning" in m], messages


def test_the_graders_optimize_level_does_not_strip_learner_asserts(
    configured: dict[str, Any],
) -> None:
    messages = [p["message"] for p in configured["identity_matrix"]["problems"]]
    assert [m for m in messages if "AssertionError" in m], messages


_BROKEN_FORK = """
from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.worker import forked


def broken(*args):
    raise RuntimeError("a step of become() failed")


forked.become = broken
with ZygoteHandle(fork_first=True) as handle:
    print(handle.ready()["ready"], type(handle.process).__name__)
"""


def _zygote_made_by(script: str) -> list[str]:
    """Whether the zygote a fresh process starts answered, and its kind (Popen: exec'd)."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_a_forked_zygote_that_dies_before_it_is_ready_is_replaced_by_a_fresh_one() -> None:
    """Not a grade that stops at once with 'could not start the isolated worker'."""
    assert _zygote_made_by(_BROKEN_FORK) == ["True", "Popen"]


_THREADED = """
import torch

from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.worker import zygote

zygote.prepare()  # as the pool's server does: torch imported (with an idle thread of its own)
torch.set_num_threads(2)
torch.ones(512, 512).matmul(torch.ones(512, 512))  # starts torch's own threads
with ZygoteHandle(fork_first=True) as handle:
    print(handle.ready()["ready"], type(handle.process).__name__)
"""


def test_a_process_running_torchs_own_threads_starts_a_fresh_zygote() -> None:
    """threading.active_count() does not see them; a fork would copy their locks, held."""
    assert _zygote_made_by(_THREADED) == ["True", "Popen"]
