"""The seccomp filter on its own, in a throwaway process: what it denies, what it ends, and
that ordinary work (threads, forks, signals to oneself) still runs under it."""

from __future__ import annotations

import json
import platform
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    platform.machine() != "x86_64" or not sys.platform.startswith("linux"),
    reason="the seccomp filter is written for Linux on x86_64 only",
)

PROBE = """
import ctypes, json, os, sys, threading
from tensorlings.worker import seccomp
libc = ctypes.CDLL(None, use_errno=True)
assert seccomp.install((1234567,)) is None
def call(name, *args):
    result = getattr(libc, name)(*args)
    return [result, ctypes.get_errno() if result == -1 else 0]
seen = {
    "unshare": call("unshare", 0x40000000),
    "setns": call("setns", os.open("/proc/self/ns/net", os.O_RDONLY), 0),
    "mount": call("mount", b"none", b"/tmp", b"tmpfs", 0, None),
    "ptrace": call("ptrace", 16, os.getppid(), None, None),
    "x32_getpid": call("syscall", 0x40000000 + 39),
    "clone_newuser": call("syscall", 56, 0x10000000 | 17, 0, 0, 0, 0),
}
thread = threading.Thread(target=lambda: None)
thread.start(); thread.join()  # clone3 answers ENOSYS; glibc falls back to a plain clone
pid = os.fork()
if pid == 0:
    os._exit(7)
seen["fork"] = os.WEXITSTATUS(os.waitpid(pid, 0)[1])
os.kill(os.getpid(), 0)
print(json.dumps(seen), flush=True)
os.kill(int(sys.argv[1]), 0)  # a guarded process: the filter ends this one
print("still alive", flush=True)
"""


def _run(guarded: int) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(PROBE).replace("1234567", str(guarded))
    return subprocess.run(
        [sys.executable, "-c", script, str(guarded)], capture_output=True, text=True, timeout=60
    )


def test_escape_calls_are_denied_and_ordinary_work_still_runs():
    done = _run(1234567)
    assert done.stdout, done.stderr
    seen = json.loads(done.stdout.splitlines()[0])
    eperm = 1
    for name in ("unshare", "setns", "mount", "ptrace", "x32_getpid", "clone_newuser"):
        assert seen[name] == [-1, eperm], (name, seen[name])
    assert seen["fork"] == 7


def test_signalling_a_guarded_process_ends_the_sender():
    done = _run(1234567)
    assert "still alive" not in done.stdout
    assert done.returncode == -signal.SIGSYS
