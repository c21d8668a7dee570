"""The zygote: a process with torch imported (no op ever run) that forks one child per check.

Started by the checker as `python -I -m tensorlings.worker.zygote FD [--sandbox=off]`. Forking
it costs milliseconds where a fresh interpreter would pay ~2 s to import torch, and each child
starts from the same untouched torch. Each learner child is forked into a sandbox of its own
(`jail`: namespaces, a read-only root, a cgroup, seccomp) where the system allows it; ending it
ends every process it started. The zygote also isolates its own network once, becomes a
subreaper so that orphans of learner code outside a PID namespace come back to it, and kills
and reaps whatever a child leaves behind.
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
from typing import Any, NoReturn

from tensorlings.messages.requests import Op
from tensorlings.messages.zygote import HUGE_PAGES, SANDBOX_ONLY
from tensorlings.worker import heap, jail, privileges

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


class ZygoteProcess:
    """The zygote's own side: serves the checker's requests (checker/sandbox.py's ZygoteHandle)."""

    def __init__(self, control: socket.socket, sandbox: jail.Sandbox) -> None:
        from tensorlings.messages import wire as protocol

        self.protocol = protocol
        self.control = control
        self.sandbox = sandbox
        self.children: dict[int, str] = {}  # pid -> its working directory
        self.jailed: dict[int, jail.Spawned] = {}
        self.exited: dict[int, int] = {}
        self.memory_hits: set[int] = set()  # children the cgroup's out-of-memory killer hit
        self.memory_peaks: dict[int, int] = {}  # the most a child's group held, read at its end
        self.memory_files: dict[int, int] = {}  # its file pages then (memory_verdict.py)

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                self.exited[pid] = self._learner_status(pid, status)
                self.cleanup(pid)

    def _learner_status(self, pid: int, status: int) -> int:
        spawned = self.jailed.get(pid)
        if spawned is not None:
            jail.read_layers(spawned.report_fd)  # only closes it: the probe's layers are known
            self._note_memory(spawned)
        return status

    def _note_memory(self, spawned: jail.Spawned) -> None:
        """Before its group is removed: did the child reach its memory cap?"""
        if spawned.group is None:
            return
        if spawned.group.memory_limit_hit():
            self.memory_hits.add(spawned.pid)
        peak = spawned.group.memory_usage()[1]
        self.memory_peaks[spawned.pid] = max(peak, self.memory_peaks.get(spawned.pid, 0))
        self.memory_files[spawned.pid] = spawned.group.memory_file()

    def cleanup(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        spawned = self.jailed.pop(pid, None)
        inits = {s.init[0] for s in self.jailed.values() if s.init is not None}
        _kill_strays(os.getpid(), (set(self.children) - {pid}) | inits)
        if spawned is not None:
            spawned.end()  # every process the child started, wherever it went
        workdir = self.children.pop(pid, None)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    def spawn(self, request: dict[str, Any]) -> None:
        if self.sandbox.enabled and not request.get("trusted"):
            self.spawn_jailed(request)
            return
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

    def spawn_jailed(self, request: dict[str, Any]) -> None:
        """Fork a sandboxed child; ending it ends its PID namespace and its cgroup."""
        ours, theirs = socket.socketpair()
        root = tempfile.mkdtemp(prefix="tensorlings-work-")
        readonly = "readonly_system" in self.sandbox.required
        workdir = jail.workdir_for(root) if readonly else root
        if not readonly and os.geteuid() == 0:
            os.chown(root, privileges.NOBODY, privileges.NOBODY)  # the learner runs as nobody
        limits = request["limits"]

        def run() -> None:
            from tensorlings.worker import child

            confined = "seccomp" in self.sandbox.required
            child.main(
                theirs, {**request, "workdir": workdir, "jailed": readonly, "confined": confined}
            )

        hide = tuple(str(p) for p in request.get("hide", ()))  # every pack's solutions
        spawned = self.sandbox.spawn(
            run, theirs.fileno(), root, int(limits["memory_bytes"]), int(limits["processes"]), hide
        )
        theirs.close()
        self.children[spawned.pid] = root
        self.jailed[spawned.pid] = spawned
        socket.send_fds(self.control, [b"S"], [ours.fileno()])
        ours.close()
        self.protocol.send(self.control, {"pid": spawned.pid, "workdir": workdir})

    def alive(self, request: dict[str, Any]) -> bool:
        pid = request.get("pid")
        if type(pid) is not int or pid not in self.children:
            return False
        self.reap()
        return pid in self.children

    def memory_state(self, request: dict[str, Any]) -> dict[str, int]:
        """A sandboxed child's cgroup counters: how often it hit its memory cap, the bytes it
        holds now and the most it held (since `reset_peak`); zeros outside the sandbox."""
        spawned = self.jailed.get(request.get("pid"))  # type: ignore[arg-type]
        if spawned is None or spawned.group is None:
            return {"memory_events": 0, "memory_usage": 0, "memory_peak": 0, "memory_file": 0}
        usage, peak = spawned.group.memory_usage(request.get("reset_peak") is True)
        events = spawned.group.memory_events()
        file = spawned.group.memory_file()
        return {
            "memory_events": events,
            "memory_usage": usage,
            "memory_peak": peak,
            "memory_file": file,
        }

    def kill(self, pid: int) -> None:
        if pid in self.children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            spawned = self.jailed.get(pid)
            if spawned is not None:
                self._note_memory(spawned)
                spawned.end()

    def dismiss(self, pid: int) -> None:
        """Kill a child whose check is over and say so at once: once SIGKILL is sent, none of
        its processes runs again. Reaping, removing its group and its folder follow (reap)."""
        if pid in self.children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            spawned = self.jailed.get(pid)
            if spawned is not None:
                spawned.signal_all()
        self.protocol.send(self.control, {"dismissed": pid})

    def wait(self, pid: int, seconds: float) -> None:
        deadline = seconds
        while pid not in self.exited and deadline > 0:
            self.reap()
            if pid in self.exited or pid not in self.children:
                break
            select.select([], [], [], 0.02)
            deadline -= 0.02
        status = self.exited.pop(pid, None)
        memory = pid in self.memory_hits
        self.memory_hits.discard(pid)
        peak = self.memory_peaks.pop(pid, 0)
        file = self.memory_files.pop(pid, 0)
        ended = {"pid": pid, "status": status, "memory_limit": memory, "memory_peak": peak}
        self.protocol.send(self.control, {**ended, "memory_file": file})

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
            if op == Op.SPAWN:
                self.spawn(request)
            elif op == Op.KILL:
                self.kill(int(request["pid"]))
            elif op == Op.DISMISS:
                self.dismiss(int(request["pid"]))
            elif op == Op.WAIT:
                self.wait(int(request["pid"]), float(request.get("seconds", 2.0)))
            elif op == Op.PING:
                # With a pid: whether that child (a loaded file) is still running; its cgroup's
                # counters only when asked for them (`reset_peak` given): a plain ping follows
                # every run, and each counter is a file to read.
                counters = self.memory_state(request) if "reset_peak" in request else {}
                self.protocol.send(
                    self.control, {"pong": True, "alive": self.alive(request), **counters}
                )
            elif op == Op.KEEP:
                from tensorlings.worker import encoding  # imported with torch by `prepare`

                encoding.keep_recipes(request.get("recipes"))
            elif op == Op.QUIT:
                break
        for pid in list(self.children):
            self.kill(pid)
            self.reap()
            self.cleanup(pid)


def _warm_up() -> None:
    """Do once here what every child would otherwise do again on its first tensor: detect
    the CPU (torch reads /sys for it), build einops' torch backend, parse the signatures of
    the torch functions the worker's own encoding and comparisons call. Measured at ~2.5 ms
    of CPU per forked process (each exercise has one). One thread, as every child runs, and
    tiny tensors: no thread pool is started (a fork after one could deadlock), and no random
    numbers are drawn (the generator's state is what every child inherits).

    The recorder's function mode is entered once too: torch sets up its mode machinery the
    first time a mode handles a call (~0.5 ms of CPU in each exercise's process)."""
    import einops
    import torch

    from tensorlings.worker import encoding, intervention, recorder

    torch.set_num_threads(1)
    torch.backends.cpu.get_cpu_capability()
    x = torch.arange(6.0).reshape(2, 3)
    y = encoding.decode(encoding.encode(x))
    encoding.same_tensor(x, y)
    intervention.same(x, y)
    einops.reduce(einops.rearrange(x, "a b -> b a"), "b a -> b", "sum")
    calls = recorder.CallRecorder("")  # a throwaway: no learner file, nothing kept
    calls.active = True
    with recorder.recording(calls):
        torch.where(x > 0, x * 2, x.sum())[0].softmax(0)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    control.set_inheritable(False)  # never into the programs the sandbox starts
    serve(control, sys.argv[2:])


def prepare() -> None:
    """Import and warm up what every child shares; once per process.

    Every child is forked from here without exec: torch's objects, made with no collection
    running and then frozen (heap.py), are never walked again in a child, which wrote to
    every object's header (copy-on-write, charged to the child's cgroup) and cost ~70 ms per
    file process in the sandbox, the largest part of a one-exercise check."""
    global _prepared, _threads_prepared
    if _prepared:
        return
    with heap.kept_for_good():
        import einops  # noqa: F401  (imported once here so that every child has it)
        import torch  # noqa: F401

        from tensorlings.worker import child  # noqa: F401

        _warm_up()
    _prepared = True
    _threads_prepared = threads()


_prepared = False
_threads_prepared = 1  # threads once prepared: torch's import leaves one of its own, idle


def threads() -> int:
    """Threads this process runs by the kernel's count: torch's own (an intra-op pool started
    by an op) are invisible to the threading module."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def may_fork() -> bool:
    """No thread started since `prepare` (or at all, unprepared) but this one: a fork copies
    only the calling thread, and a lock another one held mid-step would stay held for good."""
    import threading

    return threading.active_count() == 1 and threads() <= _threads_prepared


def serve(control: socket.socket, flags: list[str]) -> NoReturn:
    """Be the zygote on `control` until the checker quits, then end this process."""
    network = _isolate_network()
    if SANDBOX_ONLY in flags:
        _answer(control, network, flags)
        os._exit(0)
    prepare()
    if HUGE_PAGES in flags:  # after everything the children share is made
        heap.in_huge_pages()
    ZygoteProcess(control, _answer(control, network, flags)).serve()
    os._exit(0)  # children and folders are cleaned up already; skip torch's slow teardown


def _answer(control: socket.socket, network: str | None, flags: list[str]) -> jail.Sandbox:
    """Build the sandbox (its probe tries every layer) and tell the checker what it has."""
    from tensorlings.messages import wire as protocol

    enabled, why_off = jail.enabled_from_argv(flags)
    sandbox = jail.Sandbox(enabled, why_off)
    ready = {"ready": True, "network_isolated": network is None, "why": network}
    protocol.send(control, {**ready, "sandbox": sandbox.layers()})
    return sandbox


if __name__ == "__main__":
    main()
