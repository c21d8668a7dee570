"""The sandbox a learner's child runs in on Linux, built on the kernel's own interfaces.

Each checked file gets two processes forked from the zygote, inside fresh PID, mount, network
and IPC namespaces and a cgroup of their own:

- an *init* (pid 1 of the new PID namespace, our code only) that builds a read-only root of
  allow-listed folders (the system, Python, the installed packages; never the project checkout,
  its `.git`, home folders, submissions or grading output) with an empty, size-capped `/tmp`
  and `/dev/shm`, then forks the learner's process and reaps. When it ends, the kernel ends
  every process left in the namespace, so nothing a learner starts (a `setsid` chain included)
  outlives the check.
- the *learner's process*, which drops to user `nobody`, enters a new user namespace, drops
  every capability, installs the seccomp filter, and only then runs learner code.

Bubblewrap or nsjail would build the same namespaces, but both start a *new program*: every
check would pay the ~2.5 s torch import that the zygote exists to avoid. Forking the already
imported zygote into namespaces made here keeps a check as fast as before.

Both processes report each layer they set up on a pipe the zygote reads (written before any
learner code runs, and closed before it does). A probe at the zygote's start finds which layers
this machine allows; afterwards a child that cannot set up one of them exits before learner
code runs, so the `isolation` report is true of every child.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from tensorlings.worker import cgroups, mounts, seccomp

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
NOBODY = 65534
MEMORY_SLACK = 256 * 1024**2  # the cgroup cap is the data limit plus this (page cache, torch)
LAYER_FAILED = 97  # exit status of a child that could not set up a layer the probe had
_CLONE_NEWNS, _CLONE_NEWPID, _CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
_CLONE_NEWIPC, _CLONE_NEWUSER = 0x08000000, 0x10000000
_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def _unshare(flags: int, what: str) -> str | None:
    if _libc.unshare(flags) != 0:
        return f"unshare({what}) failed: {os.strerror(ctypes.get_errno())}"
    return None


def _drop_capabilities() -> None:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


@dataclass(frozen=True)
class Spawned:
    """A jailed child as the zygote sees it: the init's pid, its group, its report pipe."""

    pid: int
    group: cgroups.Group | None
    report_fd: int


@dataclass(frozen=True)
class Outcome:
    """What the report pipe said once the child ended: how the learner's process ended (None
    when it never started or its init was killed first) and the layers each side set up."""

    status: int | None
    layers: dict[str, str | None]


def read_outcome(fd: int) -> Outcome:
    """Read (non-blocking) and close a report pipe; its writers are gone."""
    os.set_blocking(fd, False)
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    status: int | None = None
    layers: dict[str, str | None] = {}
    for line in b"".join(chunks).splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record.get("status"), int):
            status = record["status"]
        layers.update({k: v for k, v in record.get("layers", {}).items() if k in LAYERS})
    return Outcome(status, layers)


class Sandbox:
    """The zygote's sandbox settings: which layers to build, found once by a probe."""

    def __init__(self, enabled: bool, why_off: str | None = None) -> None:
        self.enabled = enabled
        self.layout = mounts.layout()
        self.why: dict[str, str] = {}
        self.required: frozenset[str] = frozenset()
        self.guarded = (os.getpid(), os.getppid())  # the zygote and the checker
        self.serial = 0
        if enabled:
            try:
                self._own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
                self._probe()
            except OSError as error:
                why_off = f"the sandbox could not be tried: {error}"
                self.required = frozenset()
        if not self.required:  # nothing to build: children are started the plain way
            self.enabled = False
            self.why = {
                layer: self.why.get(layer, why_off or "the sandbox is off") for layer in LAYERS
            }

    def _probe(self) -> None:
        root = tempfile.mkdtemp(prefix="tensorlings-probe-")
        try:
            spawned = self.spawn(lambda: None, -1, root, memory_bytes=256 * 1024**2, processes=16)
            _, status = os.waitpid(spawned.pid, 0)
        finally:
            os.rmdir(root)
        outcome = read_outcome(spawned.report_fd)
        if spawned.group is not None:
            spawned.group.end()
        for layer in LAYERS:
            why = outcome.layers.get(layer, self.why.get(layer, "the probe did not get that far"))
            if why is None:
                self.required |= {layer}
            else:
                self.why.setdefault(layer, why)
        if outcome.status is None or outcome.status != 0:
            self.why.setdefault("probe", f"the probe child ended with status {status}")

    def layers(self) -> dict[str, object]:
        """The `isolation` fields this sandbox contributes: layers, full, missing."""
        layers = {layer: layer in self.required for layer in LAYERS}
        missing = [f"{layer}: {self.why.get(layer, '?')}" for layer in LAYERS if not layers[layer]]
        return {"layers": layers, "full": not missing, "missing": missing}

    def spawn(
        self, run: Callable[[], None], keep_fd: int, root: str, memory_bytes: int, processes: int
    ) -> Spawned:
        """Fork a jailed child whose learner's process calls `run` (keeping fd `keep_fd`).

        `root` is an empty host folder: the jail's root is mounted on it, and the learner's
        working folder inside is `workdir_for(root)`."""
        self.serial += 1
        group, why = cgroups.create(
            f"{os.getpid()}-{self.serial}", memory_bytes + MEMORY_SLACK, processes + 16
        )
        if not self.required:
            self.why.update(why)
        report_r, report_w = os.pipe()
        pid_ns = _unshare(_CLONE_NEWPID, "CLONE_NEWPID") if self._wants("pid_namespace") else ""
        pid = os.fork()
        if pid == 0:
            os.close(report_r)
            code = LAYER_FAILED
            try:
                code = self._init(run, keep_fd, report_w, group, pid_ns, (root, memory_bytes))
            finally:
                os._exit(code)
        if pid_ns is None:
            # Later forks (the next jail, a trusted child) must start in our own namespace again.
            if _libc.setns(self._own_pid_ns, _CLONE_NEWPID) != 0:
                raise OSError(ctypes.get_errno(), "setns back into the zygote's PID namespace")
        elif pid_ns and not self.required:
            self.why["pid_namespace"] = pid_ns
        os.close(report_w)
        return Spawned(pid, group, report_r)

    def _wants(self, layer: str) -> bool:
        return not self.required or layer in self.required

    def _init(
        self,
        run: Callable[[], None],
        keep_fd: int,
        report: int,
        group: cgroups.Group | None,
        pid_ns: str | None,
        where: tuple[str, int],
    ) -> int:
        os.setsid()
        done = {} if pid_ns == "" else {"pid_namespace": pid_ns}
        done.update(self._join(group))
        for layer, flag, name in (
            ("mount_namespace", _CLONE_NEWNS, "CLONE_NEWNS"),
            ("network_namespace", _CLONE_NEWNET, "CLONE_NEWNET"),
            ("ipc_namespace", _CLONE_NEWIPC, "CLONE_NEWIPC"),
        ):
            if self._wants(layer):
                done[layer] = _unshare(flag, name)
        if self._wants("readonly_system"):
            root, memory_bytes = where
            done["readonly_system"] = (
                mounts.build_root(self.layout, root, workdir_for(root), folder_bytes(memory_bytes))
                if done.get("mount_namespace") is None
                else "needs a mount namespace"
            )
        os.write(report, json.dumps({"layers": done}).encode() + b"\n")
        if self._lacks(done):
            return LAYER_FAILED
        if done.get("readonly_system", "") is None:
            os.chdir(workdir_for(where[0]))  # so that /proc/<pid>/cwd names the child's folder
        learner = os.fork()
        if learner == 0:
            code = LAYER_FAILED
            try:
                code = self._learner(run, keep_fd, report, pid_ns is None)
            finally:
                os._exit(code)
        if keep_fd >= 0:
            os.close(keep_fd)
        return _reap_until(learner, report)

    def _join(self, group: cgroups.Group | None) -> dict[str, str | None]:
        if group is None:
            return {}
        try:
            group.join()
        except OSError as error:
            return {"cgroup_memory": f"cannot join: {error}", "cgroup_pids": f"{error}"}
        return {"cgroup_memory": None if group.memory else "no memory group",
                "cgroup_pids": None if group.pids else "no pids group"}  # fmt: skip

    def _lacks(self, done: dict[str, str | None]) -> bool:
        """A layer the probe set up failed here: the child must not run weaker than reported."""
        return any(why is not None and layer in self.required for layer, why in done.items())

    def _learner(self, run: Callable[[], None], keep_fd: int, report: int, in_pid_ns: bool) -> int:
        _close_all_but({keep_fd, report})
        done = _confine(self._wants, in_pid_ns, self.guarded)
        os.write(report, json.dumps({"layers": done}).encode() + b"\n")
        os.close(report)  # before any learner code: what is on the pipe is ours alone
        if self._lacks(done):
            return LAYER_FAILED
        run()
        return 0


def _confine(
    wants: Callable[[str], bool], in_pid_ns: bool, guarded: tuple[int, ...]
) -> dict[str, str | None]:
    """In the learner's process: become nobody in a new user namespace, then seccomp."""
    done: dict[str, str | None] = {}
    if wants("user_namespace"):
        done["user_namespace"] = _become_nobody()
    if wants("seccomp"):
        outside = (os.getppid(), *guarded)
        pids = (1,) if in_pid_ns else (0, -1, *outside, *(-pid for pid in outside))
        done["seccomp"] = seccomp.install(pids)
    return done


def _become_nobody() -> str | None:
    try:
        if os.geteuid() == 0:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
    except OSError as error:
        return f"cannot become an unprivileged user: {error}"
    why = _unshare(_CLONE_NEWUSER, "CLONE_NEWUSER")
    if why is not None:
        return why
    try:
        _drop_capabilities()  # a new user namespace grants every capability inside it
    except OSError as error:
        return f"cannot drop capabilities: {error}"
    return None


def _close_all_but(keep: set[int]) -> None:
    """Close every inherited descriptor but stdio and `keep`: the zygote's are not for learners."""
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, 1024))
    for fd in open_fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _reap_until(learner: int, report: int) -> int:
    """Reap every process reparented to us until the learner's process ends; report how."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == learner:
            os.write(report, json.dumps({"status": status}).encode() + b"\n")
            return 0


def folder_bytes(memory_bytes: int) -> int:
    """The size cap of the private /tmp and /dev/shm: a quarter of the memory limit, at most
    512 MiB, so that filling one fails at once with "No space left on device" (filling memory
    is slow on some machines: 2 GiB could outlast the call's time limit)."""
    return max(16 * 1024**2, min(memory_bytes // 4, 512 * 1024**2))


def workdir_for(root: str) -> str:
    """The learner's working folder inside a jail mounted on `root` (same name, private /tmp)."""
    return "/tmp/" + os.path.basename(root)


def enabled_from_argv(argv: list[str]) -> tuple[bool, str | None]:
    """Whether the checker asked for the sandbox (`--sandbox=off` turns it off for tests)."""
    if "--sandbox=off" in argv:
        return False, "turned off (TENSORLINGS_SANDBOX=off)"
    if not sys.platform.startswith("linux"):
        return False, f"no sandbox on {sys.platform} (Linux only)"
    return True, None
