"""The zygote: a process with torch imported (no op ever run) that forks one child per check.

Started by the checker as `python -I -m tensorlings.worker.zygote FD`. Forking it costs
milliseconds where a fresh interpreter would pay ~2 s to import torch, and each child starts
from the same untouched torch. It isolates the network once (a new network namespace, where the
system allows it), becomes a subreaper so that orphans of learner code come back to it, and
kills and reaps whatever a child leaves behind.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
from typing import Any

_CLONE_NEWNET = 0x40000000
_PR_SET_CHILD_SUBREAPER = 36


def _isolate_network() -> str | None:
    """None when the worker now has no network; otherwise why it still has one."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNET) != 0:
            return f"unshare(CLONE_NEWNET) failed: {os.strerror(ctypes.get_errno())}"
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError) as error:
        return f"no network namespace: {error}"
    return None


def _kill_strays(me: int, keep: set[int]) -> None:
    """Kill processes that were reparented to us (orphans of learner code)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in keep:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == me:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            continue


class Zygote:
    def __init__(self, control: socket.socket) -> None:
        from tensorlings.worker import protocol

        self.protocol = protocol
        self.control = control
        self.children: dict[int, str] = {}  # pid -> its working directory
        self.exited: dict[int, int] = {}

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                self.exited[pid] = status
                self.cleanup(pid)

    def cleanup(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        _kill_strays(os.getpid(), set(self.children) - {pid})
        workdir = self.children.pop(pid, None)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    def spawn(self, request: dict[str, Any]) -> None:
        ours, theirs = socket.socketpair()
        workdir = tempfile.mkdtemp(prefix="tensorlings-work-")
        pid = os.fork()
        if pid == 0:  # the child
            try:
                os.setsid()
                self.control.close()
                ours.close()
                from tensorlings.worker import child

                child.main(theirs, {**request, "workdir": workdir})
            finally:
                os._exit(0)
        theirs.close()
        self.children[pid] = workdir
        socket.send_fds(self.control, [b"S"], [ours.fileno()])
        ours.close()
        self.protocol.send(self.control, {"pid": pid, "workdir": workdir})

    def alive(self, request: dict[str, Any]) -> bool:
        pid = request.get("pid")
        if type(pid) is not int or pid not in self.children:
            return False
        self.reap()
        return pid in self.children

    def kill(self, pid: int) -> None:
        if pid in self.children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass

    def wait(self, pid: int, seconds: float) -> None:
        deadline = seconds
        while pid not in self.exited and deadline > 0:
            self.reap()
            if pid in self.exited or pid not in self.children:
                break
            select.select([], [], [], 0.02)
            deadline -= 0.02
        status = self.exited.pop(pid, None)
        self.protocol.send(self.control, {"pid": pid, "status": status})

    def serve(self) -> None:
        while True:
            ready, _, _ = select.select([self.control], [], [], 0.2)
            self.reap()
            if not ready:
                continue
            try:
                request = self.protocol.recv(self.control)
            except (EOFError, OSError, self.protocol.ProtocolError):
                break
            op = request.get("op")
            if op == "spawn":
                self.spawn(request)
            elif op == "kill":
                self.kill(int(request["pid"]))
            elif op == "wait":
                self.wait(int(request["pid"]), float(request.get("seconds", 2.0)))
            elif op == "ping":
                # With a pid: whether that child (a loaded file) is still running.
                self.protocol.send(self.control, {"pong": True, "alive": self.alive(request)})
            elif op == "quit":
                break
        for pid in list(self.children):
            self.kill(pid)
            self.reap()
            self.cleanup(pid)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    network = _isolate_network()
    import einops  # noqa: F401  (imported once here so that every child has it)
    import torch  # noqa: F401

    from tensorlings.worker import child, protocol  # noqa: F401

    protocol.send(control, {"ready": True, "network_isolated": network is None, "why": network})
    Zygote(control).serve()
    os._exit(0)  # children and folders are cleaned up already; skip torch's slow teardown


if __name__ == "__main__":
    main()
