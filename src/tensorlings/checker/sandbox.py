"""The checker's handle on the isolated worker: start it, fork children, enforce deadlines.

Nothing in this module runs learner code or trusts what comes back: replies are plain data that
the judge validates. A child that overruns its deadline is killed with its whole process group;
the zygote reaps it and reports how it ended.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from tensorlings.checker import isolation
from tensorlings.checker.memory_verdict import MemoryState
from tensorlings.errors import WorkerError
from tensorlings.messages import wire
from tensorlings.messages import zygote as asks
from tensorlings.worker import heap


@dataclass(frozen=True)
class Limits:
    """What one child may use. Every limit, when hit, fails only the exercise that hit it."""

    exercise_seconds: float = 5.0  # wall clock per call of the learner's function
    statement_seconds: float = 10.0  # wall clock per top-level statement while loading
    load_seconds: float = 30.0  # all top-level statements together (definitions still run)
    file_seconds: float = 600.0  # everything the check of one file may take
    memory_bytes: int = 2 * 1024**3  # extra data memory (RLIMIT_DATA) beyond torch's own
    cpu_seconds: int = 300
    open_files: int = 256
    file_bytes: int = 16 * 1024**2
    processes: int = 64
    output_chars: int = 20_000

    def for_child(self) -> dict[str, Any]:
        return asdict(self)


class ChildDied(Exception):
    """The child ended (crash, exit, kill) before answering."""

    def __init__(self, status: int | None) -> None:
        super().__init__(describe_status(status))
        self.status = status


class ChildTimedOut(Exception):
    """The child did not answer before the checker's deadline; it has been killed."""

    def __init__(self) -> None:
        super().__init__("no answer before the deadline")


class ChannelClosed(Exception):
    """The exercise's process closed its channel (it ended): how, the file's process says."""


FrameHandler = Callable[[Any], bool]
GRACE = 3.0  # seconds beyond a limit the child keeps itself (a loaded machine is slow)
SEND_SECONDS = 30.0  # a child waiting for its next request reads it at once
# How long the zygote (trusted, never running learner code) may take to answer a ping. It
# answers at once unless it is dead, which shows sooner (end of file); the wait only guards
# against a stuck zygote, so it must not be short enough for a busy machine to turn a healthy
# exercise into `crashed` (it was 1 s).
ZYGOTE_ANSWER_SECONDS = 10.0


def describe_status(status: int | None) -> str:
    if status is None:
        return "the worker process ended in an unknown way"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"the worker process was killed by {name}"
    if os.WIFEXITED(status):
        return f"the worker process exited with status {os.WEXITSTATUS(status)}"
    return f"the worker process ended with raw status {status}"


@dataclass(frozen=True)
class SpawnKey:
    """What a child is made for: a spare is handed out only for an equal request."""

    limits: Limits
    trusted: bool
    hidden: tuple[str, ...]
    blocked: tuple[str, ...]


class ChildHandle:
    """The checker's handle on one forked child holding one loaded file (the child's own side
    is worker/child.py's ChildProcess)."""

    def __init__(self, zygote: ZygoteHandle, pid: int, sock: socket.socket, workdir: str) -> None:
        self.zygote = zygote
        self.pid = pid
        self.sock = sock
        self.workdir = workdir
        self.alive = True
        self.memory_limit = False  # the zygote saw it reach its cgroup's memory cap
        self.memory_peak = 0  # the most its cgroup held, read by the zygote as it ended
        self.memory_file = 0  # the file pages its cgroup held then
        # The live exercise's own channel: its requests and replies travel on it alone.
        self.channel: socket.socket | None = None

    def post(self, message: dict[str, Any]) -> None:
        """Send a request that has no answer of its own."""
        try:
            self.sock.settimeout(SEND_SECONDS)
            wire.send(self.sock, message)
        except OSError:
            status = self.close()
            raise ChildDied(status) from None

    def open_channel(self, seconds: float = SEND_SECONDS) -> None:
        """Receive the channel of the exercise's process just started (after `exercise`)."""
        self.drop_channel()
        try:
            self.sock.settimeout(seconds)
            data, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        except TimeoutError:
            self.close()
            raise ChildTimedOut from None
        except OSError:
            raise ChildDied(self.close()) from None
        if not data:
            raise ChildDied(self.close())
        if data != b"E" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            self.close()
            raise wire.ProtocolError("expected the channel of the exercise's process")
        self.channel = socket.socket(fileno=fds[0])

    def drop_channel(self) -> None:
        """Close the exercise's channel: its process reads the end of it and leaves; whatever
        it wrote and the checker did not read is gone with it."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def exchange(
        self,
        message: dict[str, Any] | None,
        due: Callable[[], float],
        handle: FrameHandler,
        max_frame: int = wire.MAX_FRAME,
        on_channel: bool = False,
    ) -> None:
        """Send a request, then hand each frame to `handle` until it returns True.

        `due()` gives the monotonic time by which the next frame must arrive. It is computed
        by the caller from its own clock and state, so no frame the child sends can move it
        later than the caller allows. `handle` raises ProtocolError for a frame that breaks
        the protocol. Any failure kills the child before raising, but for the end of the
        exercise's channel (`on_channel`), which raises ChannelClosed.
        """
        sock = self.channel if on_channel else self.sock
        if sock is None:
            raise wire.ProtocolError("no exercise's channel is open")
        try:
            if message is not None:  # None: only collect what the child sends anyway
                # The last wait may have left a tiny timeout on the socket: a request gets
                # its own.
                sock.settimeout(SEND_SECONDS)
                wire.send(sock, message)
            while True:
                if handle(wire.recv(sock, max_frame, due())):
                    return
        except TimeoutError:
            self.close()
            raise ChildTimedOut from None
        except wire.ProtocolError:
            self.close()  # whatever it sent, the child is done
            raise
        except (EOFError, OSError):
            if on_channel:
                self.drop_channel()
                raise ChannelClosed from None
            status = self.close()
            raise ChildDied(status) from None

    def close(self) -> int | None:
        """Kill the child (if still running) and return how it ended."""
        if not self.alive:
            return None
        self.drop_channel()
        self.alive = False
        self.zygote.live.discard(self)
        self.sock.close()
        if not self.zygote.healthy():
            self._kill_directly()
            self.zygote.restart()
            return None
        try:
            self.zygote.send(asks.kill(self.pid))
            reply = asks.waited(self.zygote.ask(asks.wait(self.pid, 3.0)))
        except WorkerError:
            # The zygote itself is gone or stuck (learner code can signal its parent): clean
            # up here and start a fresh zygote for what follows.
            self._kill_directly()
            self.zygote.restart()
            return None
        self.memory_limit = reply.memory_limit
        self.memory_peak, self.memory_file = reply.counters.peak, reply.counters.file
        return reply.status

    def dismiss(self) -> None:
        """End the child without waiting for it to exit: the check is over. The zygote has
        sent SIGKILL to every process of the child when this returns, so none of them runs
        again; it reaps them and removes their folder while the checker goes on."""
        if not self.alive:
            return
        self.drop_channel()
        self.alive = False
        self.zygote.live.discard(self)
        self.sock.close()
        try:
            if self.zygote.healthy():
                reply = self.zygote.ask(asks.dismiss(self.pid))
                if asks.dismissed(reply) == self.pid:
                    return
        except WorkerError:
            pass
        self._kill_directly()
        self.zygote.restart()

    def abandon(self) -> None:
        """The zygote is going away: kill this child and remove its folder from here."""
        if self.alive:
            self.drop_channel()
            self.alive = False
            self.zygote.live.discard(self)
            self.sock.close()
            self._kill_directly()

    def _kill_directly(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        if os.path.basename(self.workdir).startswith("tensorlings-work-"):
            shutil.rmtree(self.workdir, ignore_errors=True)


class ZygoteHandle:
    """The checker's handle on the long-lived worker process that forks children (that process
    is worker/zygote.py's ZygoteProcess); started once per checker."""

    def __init__(
        self,
        python: str = sys.executable,
        *,
        spare: bool = False,
        sandbox_only: bool = False,
        fork_first: bool = False,
    ) -> None:
        """`spare`: keep one learner child forked ahead of time (sandbox set up, nothing
        loaded), so that a long-lived checker (watch, grading) does not wait for the fork and
        the sandbox on each check. A one-off check would only waste it.

        `sandbox_only`: a zygote that only says, in `ready()`, which sandbox layers it built,
        and then ends (torch never imported); it can spawn nothing.

        `fork_first`: start the zygote as a fork of this process instead of a fresh
        interpreter, saving its torch import. Only for a process that imported exactly what a
        zygote does (worker/zygote.py's `prepare`) and nothing a learner may not see: the
        grading pool's processes, before their first task (grading/pool_server.py). It runs no
        thread (one would be forked mid-step); a restart after a lost zygote starts a fresh
        interpreter."""
        self.python = python
        self.fork_first = fork_first
        self.live: set[ChildHandle] = set()  # children not closed yet
        self.keep_spare = spare
        self.sandbox_only = sandbox_only
        self._pending: SpawnKey | None = None  # a spawn whose reply is unread
        self._spare: tuple[SpawnKey, ChildHandle] | None = None
        # Every pack's files and modules, kept from learner code (see `protect`).
        self.hidden: tuple[str, ...] = ()
        self.blocked: tuple[str, ...] = ()
        self._start()

    def _start(self) -> None:
        # TENSORLINGS_SANDBOX=off asks for the weak mode; read once, so that a restarted
        # worker keeps the mode this one was created with.
        self.sandbox_arguments = getattr(self, "sandbox_arguments", None)
        if self.sandbox_arguments is None:
            self.sandbox_arguments = isolation.zygote_arguments()
        flags = list(self.sandbox_arguments)
        if self.keep_spare:  # many checks to come: the zygote's forks made cheaper
            flags.append(asks.HUGE_PAGES)
        if self.sandbox_only:
            flags.append(asks.SANDBOX_ONLY)
        self.info: dict[str, Any] | None = None
        self._kept: set[str] = set()  # recipes this zygote was asked to keep
        fork, self.fork_first = self.fork_first, False  # a restart starts a fresh one
        from tensorlings.worker import zygote

        if fork and zygote.may_fork():
            self._fork(flags)
        else:
            self._exec(flags)

    def _exec(self, flags: list[str]) -> None:
        python = self.python
        ours, theirs = socket.socketpair()
        self.sock = ours
        command = [python, "-I", "-m", "tensorlings.worker.zygote", str(theirs.fileno())]
        try:
            self.process: subprocess.Popen[bytes] | ForkedZygote = subprocess.Popen(
                command + flags,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=zygote_environment(),
                start_new_session=True,
            )
        except OSError as error:
            ours.close()
            raise WorkerError(f"could not start the worker ({python}): {error}") from None
        finally:
            theirs.close()

    def _fork(self, flags: list[str]) -> None:
        """The zygote as a fork of this process (see `fork_first`); worker/forked.py's `become`
        drops what an exec would have."""
        from tensorlings.worker import forked

        ours, theirs = socket.socketpair()
        path, environment = isolated_path(self.python), zygote_environment()
        pid = os.fork()
        if pid == 0:
            try:
                forked.become(theirs.fileno(), flags, path, environment)
            finally:
                os._exit(1)
        theirs.close()
        self.sock = ours
        self.process = ForkedZygote(pid)

    def ready(self, seconds: float = 120.0) -> dict[str, Any]:
        if self.info is None:
            try:
                self.sock.settimeout(seconds)
                self.info = wire.recv(self.sock)
            except (EOFError, OSError, wire.ProtocolError) as error:
                if isinstance(self.process, ForkedZygote):
                    # A fork that failed to become a zygote says nothing of the interpreter: a
                    # fresh one is started, as after any lost zygote (a restart never forks).
                    self.restart()
                    return self.ready(seconds)
                raise WorkerError(
                    f"the worker did not start ({error}); is torch importable by {sys.executable}?"
                ) from None
        return self.info

    def send(self, message: dict[str, Any]) -> None:
        try:
            wire.send(self.sock, message)
        except OSError as error:
            raise WorkerError(f"lost the worker: {error}") from None

    def healthy(self) -> bool:
        """Running and not stopped: learner code can kill or SIGSTOP its parent."""
        if self.process.poll() is not None:
            return False
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        return state not in ("T", "t", "Z", "X")

    def responsive(
        self, seconds: float = ZYGOTE_ANSWER_SECONDS, pid: int | None = None
    ) -> tuple[bool, bool]:
        """(answers a ping, and `pid` is still running): the reliable test after learner code
        may have signalled the zygote or a file's process (a SIGKILL sent a moment ago may
        not show in the process state yet)."""
        if not self.healthy():
            return False, False
        try:
            self._collect_spare()
            wire.send(self.sock, asks.ping(pid))
            reply = asks.pong(wire.recv(self.sock, 4096, time.monotonic() + seconds))
        except (EOFError, OSError, AttributeError, wire.ProtocolError):
            return False, False
        return reply.answered, reply.alive

    def memory_state(
        self, pid: int, reset_peak: bool = False, seconds: float = ZYGOTE_ANSWER_SECONDS
    ) -> MemoryState:
        """The sandboxed child `pid`'s cgroup counters (zeros when unknown); `reset_peak` starts
        its peak again from now."""
        if not self.healthy():
            return MemoryState()
        try:
            self._collect_spare()
            wire.send(self.sock, asks.ping(pid, reset_peak))
            reply = wire.recv(self.sock, 4096, time.monotonic() + seconds)
        except (EOFError, OSError, AttributeError, wire.ProtocolError):
            return MemoryState()
        return MemoryState.from_reply(reply)

    def restart(self) -> None:
        """Replace a dead or stuck zygote with a fresh one; its children go with it."""
        self._pending = self._spare = None
        for child in list(self.live):
            child.abandon()
        self._stop()
        self._start()

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        self._collect_spare()
        self.send(message)
        try:
            self.sock.settimeout(10)
            reply = wire.recv(self.sock)
        except (EOFError, OSError, wire.ProtocolError) as error:
            raise WorkerError(f"lost the worker: {error}") from None
        return reply if isinstance(reply, dict) else {}

    def protect(self, roots: tuple[str, ...], modules: tuple[str, ...]) -> None:
        """Hide these files and folders from every child spawned from now on, and refuse these
        modules to learner code: every installed pack's are added."""
        from tensorlings import packs

        self.hidden = tuple(dict.fromkeys((*packs.every_root(), *roots)))
        self.blocked = tuple(dict.fromkeys((*packs.every_module(), *modules)))

    def keep_recipes(self, recipes: list[dict[str, Any]]) -> None:
        """Have the zygote make these recipes (the coach's larger inputs) once, for every child
        it forks from now on (worker/encoding.py, `keep_recipes`); asked once per zygote. Only
        a saving: a child forked before, or by a zygote that could not, draws them itself."""
        wanted = [r for r in recipes if asks.recipe_key(r) not in self._kept]
        if not wanted or (self.info is not None and not self.healthy()):
            return
        self.ready()
        try:
            self.send(asks.keep(wanted))
        except WorkerError:
            return  # the next spawn finds the zygote gone and starts a fresh one
        self._kept.update(asks.recipe_key(r) for r in wanted)

    def spawn(self, limits: Limits, trusted: bool = False) -> ChildHandle:
        """A new child; a trusted one never loads learner code and may run references."""
        if self.info is not None and not self.healthy():
            self.restart()
        self.ready()
        if not self.hidden:
            self.protect((), ())
        key = SpawnKey(limits, trusted, self.hidden, self.blocked)
        child = self._take_spare(key)
        if child is None:
            self._request_child(key)
            child = self._receive_child()
        if self.keep_spare and not trusted:
            self._request_child(key)  # its reply is read when next needed
        return child

    def _request_child(self, key: SpawnKey) -> None:
        self.send(
            asks.Spawn(key.limits.for_child(), key.trusted, key.hidden, key.blocked).to_wire()
        )
        self._pending = key

    def _receive_child(self) -> ChildHandle:
        self._pending = None
        try:
            self.sock.settimeout(30)
            _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
            reply = asks.spawned(wire.recv(self.sock))
        except (EOFError, OSError, wire.ProtocolError) as error:
            raise WorkerError(f"the worker could not start a child: {error}") from None
        if not fds:
            raise WorkerError("the worker sent no channel for the child")
        child = ChildHandle(self, reply.pid, socket.socket(fileno=fds[0]), reply.workdir)
        self.live.add(child)
        return child

    def _collect_spare(self) -> None:
        """Read the reply of the spawn sent ahead of time: the zygote answers in order."""
        if self._pending is not None:
            key = self._pending
            self._spare = (key, self._receive_child())

    def _take_spare(self, key: SpawnKey) -> ChildHandle | None:
        """The spare, if it was made for this request; a trusted request leaves it be."""
        self._collect_spare()
        if self._spare is None or key.trusted:
            return None
        (made_for, child), self._spare = self._spare, None
        if made_for == key and child.alive:
            return child
        child.dismiss()  # made for other limits
        return None

    def close(self) -> None:
        self._stop()

    def _stop(self) -> None:
        # One never asked to be ready has no child yet (nothing is spawned before that): it is
        # ended at once, not asked to quit while it still imports torch (up to 5 s).
        if self.info is not None and not self.sandbox_only and self.healthy():
            try:
                wire.send(self.sock, asks.QUIT)
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        self.process.wait()
        self.sock.close()

    def __enter__(self) -> ZygoteHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def zygote_environment() -> dict[str, str]:
    """The whole environment of a zygote, and so of every learner process."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        heap.MMAP_THRESHOLD_VARIABLE: str(32 * 1024 * 1024),
    }


def isolated_path(python: str) -> list[str]:
    """sys.path as `python -I` has it: what a forked zygote searches, as an exec'd one would
    (not the grader's own path, which may start with its working folder)."""
    path = isolated_start(python).get("path")
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        return [p for p in sys.path[1:] if p]  # the first entry is the script's folder
    return path


@functools.cache
def isolated_start(python: str) -> dict[str, Any]:
    """What a fresh zygote, `python -I` in its own environment, starts with: its sys.path
    ("path") and the settings a fork keeps ("settings", worker/startup.py); {} if unknown."""
    command = [python, "-I", "-m", "tensorlings.worker.startup"]
    try:
        found = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env=zygote_environment(),
        )
        start = json.loads(found.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    return start if isinstance(start, dict) else {}


class ForkedZygote:
    """subprocess.Popen's face (pid, poll, wait, returncode) for a zygote forked from here."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: how it ended is not known
                self.returncode = -signal.SIGKILL
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"zygote {self.pid}", timeout or 0.0)
            time.sleep(0.002)
        return code
