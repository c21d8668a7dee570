"""The sandbox a learner's child runs in on Linux, built on the kernel's own interfaces.

Each checked file's child is forked from the zygote into a fresh PID namespace, whose pid 1 is
a tiny `sleep` started just before it (our code never runs there, and it holds nothing). Before
any learner code runs, the child itself:

1. joins a cgroup of its own (memory, shared memory included, and a process count);
2. enters fresh network and IPC namespaces;
3. enters a private copy of a read-only root built once per zygote (allow-listed folders: the
   system, Python, the installed packages; never the project checkout, its `.git`, home
   folders, submissions or grading output), with an empty, size-capped `/tmp` and `/dev/shm`;
4. becomes user `nobody`, enters a new user namespace and drops every capability;
5. installs the seccomp filter.

When the child ends, the zygote kills the namespace's pid 1, and the kernel then ends every
process left in the namespace: nothing a learner starts (a `setsid` chain included) outlives the
check. Its cgroup is emptied and removed as well.

Bubblewrap or nsjail would build the same namespaces, but both start a *new program*: every
check would pay the ~2.5 s torch import that the zygote exists to avoid. Forking the already
imported zygote and building the namespaces here keeps a check about as fast as before.

A probe at the zygote's start finds which layers this machine allows. Each child reports the
layers it set up on a pipe that it closes before learner code runs; a child that cannot set up
a layer the probe had exits before running any learner code, so the `isolation` report is true
of every child.
"""

from __future__ import annotations

import ctypes
import json
import linecache
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable

from tensorlings.worker import cgroups, mounts, privileges, seccomp

LAYERS = (
    "user_namespace",
    "pid_namespace",
    "mount_namespace",
    "network_namespace",
    "ipc_namespace",
    "readonly_system",
    "cgroup_memory",
    "cgroup_pids",
    "seccomp",
)
MEMORY_SLACK = 256 * 1024**2  # the cgroup cap is the data limit plus this (page cache, torch)
LAYER_FAILED = 97  # exit status of a child that could not set up a layer the probe had
_CLONE_NEWNS, _CLONE_NEWPID, _CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
_CLONE_NEWIPC = 0x08000000
_libc = ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int, what: str) -> str | None:
    if _libc.unshare(flags) != 0:
        return f"unshare({what}) failed: {os.strerror(ctypes.get_errno())}"
    return None


def folder_bytes(memory_bytes: int) -> int:
    """The size cap of the private /tmp and /dev/shm: a quarter of the memory limit, at most
    512 MiB, so that filling one fails at once with "No space left on device" (filling memory
    is slow on some machines: 2 GiB could outlast the call's time limit)."""
    return max(16 * 1024**2, min(memory_bytes // 4, 512 * 1024**2))


def workdir_for(root: str) -> str:
    """The learner's working folder inside the sandbox (same name as `root`, private /tmp)."""
    return "/tmp/" + os.path.basename(root)


class Spawned:
    """A jailed child as the zygote sees it (a handle, so not frozen: it is ended once)."""

    def __init__(
        self, pid: int, init: tuple[int, int] | None, group: cgroups.Group | None, report_fd: int
    ) -> None:
        self.pid = pid
        # pid 1 of its PID namespace, and the pipe that keeps it alive: killing it, or the
        # zygote dying and so closing the pipe, ends every process in the namespace.
        self.init = init
        self.group = group
        self.report_fd = report_fd

    def signal_all(self) -> None:
        """SIGKILL everything the child started, at once; `end` still reaps and removes."""
        if self.init is not None:
            try:
                os.kill(self.init[0], signal.SIGKILL)
            except OSError:
                pass
        if self.group is not None:
            self.group.signal_all()

    def end(self) -> None:
        """Kill everything the child started, wherever it went."""
        if self.init is not None:
            pid, hold = self.init
            self.init = None
            os.close(hold)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.group is not None:
            self.group.end()


def read_layers(fd: int) -> dict[str, str | None]:
    """Read and close a report pipe (its writer is done or gone): each layer, None when set up."""
    os.set_blocking(fd, False)
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    layers: dict[str, str | None] = {}
    for line in b"".join(chunks).splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        layers.update({k: v for k, v in record.items() if k in LAYERS})
    return layers


def _init_command() -> list[str]:
    """The namespace's pid 1: a program that waits for the end of its standard input (a pipe the
    zygote holds), started with posix_spawn, so cheap. Should the zygote die, it ends too."""
    cat = shutil.which("cat", path="/usr/bin:/bin")
    if cat:
        return [cat]
    return [sys.executable, "-I", "-S", "-c", "import sys\nsys.stdin.buffer.read()"]


class Sandbox:
    """The zygote's sandbox: which layers to build, found once by a probe."""

    def __init__(self, enabled: bool, why_off: str | None = None) -> None:
        self.enabled = enabled
        self.why: dict[str, str] = {}
        self.required: frozenset[str] = frozenset()
        self.guarded = (os.getpid(), os.getppid())  # the zygote and the checker
        self.serial = 0
        self._template: int | None = None
        self._init = _init_command()
        if enabled:
            cgroups.sweep()
            try:
                self._own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
                self._template = self._build_template()
                self._probe()
            except OSError as error:
                why_off = f"the sandbox could not be tried: {error}"
                self.required = frozenset()
        if not self.required:  # nothing to build: children are started the plain way
            self.enabled = False
            self.why = {layer: self.why.get(layer) or why_off or "off" for layer in LAYERS}

    def _build_template(self) -> int | None:
        """The read-only root, in a mount namespace that a helper builds and we keep open."""
        root = tempfile.mkdtemp(prefix="tensorlings-root-")
        ready_r, ready_w = os.pipe()
        hold_r, hold_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(ready_r)
                os.close(hold_w)
                why = _unshare(_CLONE_NEWNS, "CLONE_NEWNS")
                if why is None:
                    mounts.build_template(mounts.layout(), root)
                os.write(ready_w, (why or "ok").encode())
                os.read(hold_r, 1)  # until the zygote holds the namespace and kills us
                code = 0
            except OSError as error:
                os.write(ready_w, f"cannot build the read-only root: {error}".encode())
            finally:
                os._exit(code)
        os.close(ready_w)
        os.close(hold_r)
        try:
            answer = os.read(ready_r, 4096).decode() or "the helper ended early"
            if answer != "ok":
                self.why["readonly_system"] = answer
                return None
            return os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY)
        finally:
            os.close(ready_r)
            os.close(hold_w)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.rmdir(root)

    def _probe(self) -> None:
        root = tempfile.mkdtemp(prefix="tensorlings-probe-")
        try:
            spawned = self.spawn(lambda: None, -1, root, memory_bytes=256 * 1024**2, processes=16)
            os.waitpid(spawned.pid, 0)
            spawned.end()
        finally:
            os.rmdir(root)
        layers = read_layers(spawned.report_fd)
        for layer in LAYERS:
            why = layers.get(layer, self.why.get(layer, "the probe did not get that far"))
            if why is None:
                self.required |= {layer}
            else:
                self.why.setdefault(layer, why)

    def layers(self) -> dict[str, object]:
        """The `isolation` fields this sandbox contributes: layers, full, missing."""
        layers = {layer: layer in self.required for layer in LAYERS}
        missing = [f"{layer}: {self.why.get(layer, '?')}" for layer in LAYERS if not layers[layer]]
        return {"layers": layers, "full": not missing, "missing": missing}

    def wants(self, layer: str) -> bool:
        return not self.required or layer in self.required

    def spawn(
        self,
        run: Callable[[], None],
        keep_fd: int,
        root: str,
        memory_bytes: int,
        processes: int,
        hide: tuple[str, ...] = (),
    ) -> Spawned:
        """Fork a jailed child that calls `run` (keeping fd `keep_fd`) once confined.

        `root` is an empty host folder that names the child: its working folder inside the
        sandbox is `workdir_for(root)`."""
        self.serial += 1
        group, why = cgroups.create(
            f"{os.getpid()}-{self.serial}", memory_bytes + MEMORY_SLACK, processes + 16
        )
        if not self.required:
            self.why.update(why)
        init, pid_ns = self._start_pid_namespace()
        report_r, report_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            self._back_to_own_pid_namespace(init)
            raise
        if pid == 0:
            code = LAYER_FAILED
            try:
                os.close(report_r)
                where = (workdir_for(root), folder_bytes(memory_bytes), hide)
                code = self._child(run, keep_fd, report_w, group, pid_ns, where)
            finally:
                os._exit(code)
        self._back_to_own_pid_namespace(init)
        os.close(report_w)
        return Spawned(pid, init, group, report_r)

    def _back_to_own_pid_namespace(self, init: tuple[int, int] | None) -> None:
        """Later forks (the next jail, a trusted child) must start in our own namespace."""
        if init is not None and _libc.setns(self._own_pid_ns, _CLONE_NEWPID) != 0:
            raise OSError(ctypes.get_errno(), "setns back into the zygote's PID namespace")

    def _start_pid_namespace(self) -> tuple[tuple[int, int] | None, str | None]:
        """A new PID namespace for the next fork, its pid 1 already started; else why not."""
        if not self.wants("pid_namespace"):
            return None, "not available here"
        why = _unshare(_CLONE_NEWPID, "CLONE_NEWPID")
        if why is not None:
            return None, why
        hold_r, hold_w = os.pipe()
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            actions = [(os.POSIX_SPAWN_DUP2, hold_r, 0)]
            actions += [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (1, 2)]
            init = os.posix_spawn(self._init[0], self._init, {}, file_actions=actions, setsid=True)
        except OSError as error:
            os.close(hold_w)
            _libc.setns(self._own_pid_ns, _CLONE_NEWPID)
            return None, f"cannot start the namespace's init: {error}"
        finally:
            os.close(devnull)
            os.close(hold_r)
        return (init, hold_w), None

    def _child(
        self,
        run: Callable[[], None],
        keep_fd: int,
        report: int,
        group: cgroups.Group | None,
        pid_ns: str | None,
        where: tuple[str, int, tuple[str, ...]],
    ) -> int:
        os.setsid()
        done: dict[str, str | None] = {"pid_namespace": pid_ns}
        done.update(_join(group))
        for layer, flag, name in (
            ("network_namespace", _CLONE_NEWNET, "CLONE_NEWNET"),
            ("ipc_namespace", _CLONE_NEWIPC, "CLONE_NEWIPC"),
        ):
            if self.wants(layer):
                done[layer] = _unshare(flag, name)
        done.update(self._enter_root(*where))
        if done.get("readonly_system", "") is None:
            _blank_hidden_sources()
        privileges.close_all_but({keep_fd, report})
        done.update(_confine(self.wants, pid_ns is None, self.guarded))
        os.write(report, json.dumps(done).encode() + b"\n")
        os.close(report)  # before any learner code: what is on the pipe is ours alone
        if any(why is not None and layer in self.required for layer, why in done.items()):
            return LAYER_FAILED
        try:
            run()
        except BaseException:  # as a plain child does: whatever happened in there, exit 0
            pass
        return 0

    def _enter_root(self, workdir: str, size: int, hide: tuple[str, ...]) -> dict[str, str | None]:
        if self._template is None or not self.wants("readonly_system"):
            return {"mount_namespace": _unshare(_CLONE_NEWNS, "CLONE_NEWNS")}
        try:
            mounts.enter(self._template, workdir, size, hide)
        except OSError as error:
            why = f"cannot enter the read-only root: {error}"
            return {"mount_namespace": why, "readonly_system": why}
        return {"mount_namespace": None, "readonly_system": None}


def _blank_hidden_sources() -> None:
    """The worker's own modules are not in the sandbox's root: give their source lines as empty
    at once, where linecache would try (and fail) to read them again for every stack torch
    formats, which made each call of the learner's function twice as slow."""
    hidden = tuple(p.rstrip("/") + "/" for p in mounts.hidden_roots())
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.startswith(hidden):
            linecache.cache[path] = (0, None, [], path)  # no mtime: never checked again


def _join(group: cgroups.Group | None) -> dict[str, str | None]:
    if group is None:
        return {}
    try:
        group.join()
    except OSError as error:
        return {"cgroup_memory": f"cannot join: {error}", "cgroup_pids": f"cannot join: {error}"}
    return {
        "cgroup_memory": None if group.memory else "no memory cgroup",
        "cgroup_pids": None if group.pids else "no pids cgroup",
    }


def _confine(
    wants: Callable[[str], bool], in_pid_ns: bool, guarded: tuple[int, ...]
) -> dict[str, str | None]:
    """In the child: become nobody in a new user namespace, then install the seccomp filter."""
    done: dict[str, str | None] = {}
    if wants("user_namespace"):
        done["user_namespace"] = privileges.become_nobody()
    if wants("seccomp"):
        outside = (os.getppid(), *guarded)
        pids = (1,) if in_pid_ns else (0, -1, *outside, *(-pid for pid in outside))
        done["seccomp"] = seccomp.install(pids)
    return done


def enabled_from_argv(argv: list[str]) -> tuple[bool, str | None]:
    """Whether the checker asked for the sandbox (`--sandbox=off` turns it off for tests)."""
    if "--sandbox=off" in argv:
        return False, "turned off (TENSORLINGS_SANDBOX=off)"
    if not sys.platform.startswith("linux"):
        return False, f"no sandbox on {sys.platform} (Linux only)"
    return True, None
