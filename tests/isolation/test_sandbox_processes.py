"""The sandbox's processes: nothing a learner starts outlives the check, the checker and the
worker cannot be signalled, and namespace, mount and ptrace calls are denied."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sandbox_helpers import (
    assert_neighbours_passed,
    check_hostile,
    kinds,
    require_layers,
    result_of,
    stopped_earlier,
)
from sandbox_helpers import (
    request as request_child,
)

from tensorlings.checker.sandbox import Limits, ZygoteHandle

pytestmark = pytest.mark.slow


@pytest.fixture
def jailed(zygote: ZygoteHandle) -> ZygoteHandle:
    require_layers(zygote, "pid_namespace", "cgroup_pids", "seccomp", "user_namespace")
    return zygote


def _processes_in_groups_of(zygote: ZygoteHandle) -> list[int]:
    """Host processes still in one of this zygote's child cgroups."""
    marker = f"/tensorlings/{zygote.process.pid}-"
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cgroup") as groups:
                if marker in groups.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _gone_within(zygote: ZygoteHandle, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _processes_in_groups_of(zygote)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_a_setsid_fork_chain_is_gone_after_the_check(jailed, tmp_path):
    report = check_hostile(
        jailed,
        tmp_path,
        """
        import os
        import time

        STATE = {"forked": 0}

        def relu_abs(x):
            if not STATE["forked"]:
                for _ in range(5):
                    if os.fork() == 0:
                        os.setsid()
                        if os.fork() == 0:
                            os.setsid()
                            time.sleep(60)
                        os._exit(0)
                    STATE["forked"] += 1
                print("forked", STATE["forked"], "in", open("/proc/self/cgroup").read())
            return (x + x.abs()) / 2
        """,
        limits=Limits(exercise_seconds=5.0, statement_seconds=3.0),
    )
    result = result_of(report, "relu_abs")
    # A fork is noted as tampering (the recorder sees one process), not refused: the chain
    # still starts, and the sandbox must still end it.
    if stopped_earlier(result) and "forked 5" not in result.output:
        pytest.skip(f"an earlier layer refused the fork itself: {kinds(result)}")
    assert "forked 5" in result.output
    assert f"/tensorlings/{jailed.process.pid}-" in result.output  # so the scan below sees them
    assert _gone_within(jailed, 5.0) == []
    assert_neighbours_passed(report)


def test_killing_the_parent_is_refused_and_fails_only_the_learner(jailed, tmp_path):
    # The file's process is out of an exercise's reach: the kill raises PermissionError (it
    # used to end the file's process, and the exercise was `crashed`).
    report = check_hostile(
        jailed,
        tmp_path,
        """
        import os
        import signal

        def relu_abs(x):
            os.kill(os.getppid(), signal.SIGKILL)
            return (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "failed"
    messages = " ".join(p.message for p in result.problems)
    assert "PermissionError" in messages or stopped_earlier(result), kinds(result)
    assert jailed.responsive()
    assert_neighbours_passed(report)


@pytest.mark.parametrize("whom", ["checker", "worker"])
def test_the_checker_and_the_worker_cannot_be_signalled(jailed, tmp_path, whom):
    pid = os.getpid() if whom == "checker" else jailed.process.pid
    report = check_hostile(
        jailed,
        tmp_path,
        f"""
        import os
        import signal

        def relu_abs(x):
            os.kill({pid}, signal.SIGKILL)  # no such process inside the sandbox
            return (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "failed", "the kill reached a process outside the sandbox"
    messages = " ".join(p.message for p in result.problems)
    # Refused before the kernel looks the pid up (an exercise may signal only itself).
    refused = "PermissionError" in messages or "ProcessLookupError" in messages
    assert refused or stopped_earlier(result), messages
    assert jailed.responsive()
    assert_neighbours_passed(report)


ESCAPES = {
    "unshare_network": "libc.unshare(0x40000000)",
    "unshare_user": "libc.unshare(0x10000000)",
    "setns_network": "libc.setns(os.open('/proc/self/ns/net', os.O_RDONLY), 0)",
    "mount_tmpfs": "libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)",
    "umount_root": "libc.umount2(b'/', 2)",
    "ptrace_traceme": "libc.ptrace(0, 0, None, None)",
    "chroot": "libc.chroot(b'/tmp')",
}


@pytest.mark.parametrize("call", ESCAPES.values(), ids=ESCAPES.keys())
def test_namespace_mount_and_ptrace_calls_are_denied(jailed, tmp_path, call):
    report = check_hostile(
        jailed,
        tmp_path,
        f"""
        import ctypes
        import os

        def relu_abs(x):
            libc = ctypes.CDLL(None, use_errno=True)
            if {call} == 0:
                raise RuntimeError("the call went through")
            print("denied with errno", ctypes.get_errno())
            return (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    if stopped_earlier(result):
        return  # an audit hook refused ctypes before the sandbox was even reached
    assert result.status == "passed", [p.message for p in result.problems]
    assert "denied with errno 1" in result.output  # EPERM
    assert_neighbours_passed(report)


def test_strays_end_even_when_the_worker_itself_is_killed(tmp_path):
    zygote = ZygoteHandle()
    try:
        require_layers(zygote, "pid_namespace", "cgroup_pids")
        child = zygote.spawn(Limits())
        # The statement is still running (sleeping) when the worker is killed: the file's
        # process ends strays itself once loading is done, so the stray must outlive nothing
        # but the sandbox here.
        source = (
            "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\n"
            "time.sleep(30)\n"
        )
        units = [{"line": 1, "code": source}]
        request = {"op": "load", "units": units, "filename": str(tmp_path / "stray.py"),
                   "skip_lines": [], "statement_seconds": 40.0, "names": []}  # fmt: skip
        child.post(request)
        deadline = time.monotonic() + 10
        while len(_processes_in_groups_of(zygote)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_processes_in_groups_of(zygote)) >= 2  # the child and its stray
        os.kill(zygote.process.pid, signal.SIGKILL)  # no clean-up from the worker at all
        child.abandon()  # what the checker does with the children of a dead worker
        assert _gone_within(zygote, 10.0) == []
    finally:
        zygote.process.kill()  # a no-op when the test killed it; never wait on a live worker
        zygote.process.wait()
        zygote.sock.close()


def _load(child, tmp_path, code: str) -> dict:
    units = [{"line": 1, "code": code}]
    filename = str(tmp_path / "two.py")
    request = {"op": "load", "units": units, "skip_lines": [], "filename": filename,
               "statement_seconds": 3.0, "names": ["f"]}  # fmt: skip
    return request_child(child, request, 10.0)


def test_ending_one_sandbox_leaves_another_live_one_alone(jailed, tmp_path):
    first, second = jailed.spawn(Limits()), jailed.spawn(Limits())
    try:
        assert _load(first, tmp_path, "def f():\n    return 1\n")["functions"] == {"f": "function"}
        first.close()
        assert _load(second, tmp_path, "def f():\n    return 2\n")["functions"] == {"f": "function"}
    finally:
        first.close()
        second.close()
