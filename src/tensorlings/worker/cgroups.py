"""A control group per learner child: a memory cap that shared memory cannot slip past, a cap on
processes, and a way to end every process in it.

RLIMIT_DATA does not count shared memory (tmpfs, /dev/shm, `mmap.mmap(-1, n)`, SysV segments);
a memory cgroup does, since those pages are charged to the group whose process touched them.
Both cgroup v1 (a hierarchy per controller under /sys/fs/cgroup/<controller>) and v2 (one
unified hierarchy) are handled; where neither can be written (not root, no delegation) the
caller reports the cgroup layers missing.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

ROOT = "/sys/fs/cgroup"
PARENT = "tensorlings"


def _write(path: str, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def _counters(text: str) -> dict[str, int]:
    """`name value` lines (memory.events, memory.oom_control) as numbers."""
    counts = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            counts[key] = int(value)
    return counts


@dataclass(frozen=True)
class Group:
    """One child's group: its folder in each hierarchy (v1), or a single folder (v2)."""

    memory: str | None
    pids: str | None
    unified: bool = False

    def folders(self) -> list[str]:
        return sorted({f for f in (self.memory, self.pids) if f})

    def join(self) -> None:
        """Move the calling process (and so all it will start) into the group."""
        for folder in self.folders():
            _write(os.path.join(folder, "cgroup.procs"), "0")

    def memory_events(self) -> int:
        """How often the group has hit its memory cap or lost a process to the out-of-memory
        killer so far (a count that only grows)."""
        if self.memory is None:
            return 0
        if self.unified:
            counts = _counters(_read(os.path.join(self.memory, "memory.events")))
            return counts.get("max", 0) + counts.get("oom_kill", 0)
        oom = _counters(_read(os.path.join(self.memory, "memory.oom_control")))
        failures = _read(os.path.join(self.memory, "memory.failcnt")).strip()
        return oom.get("oom_kill", 0) + (int(failures) if failures.isdigit() else 0)

    def memory_limit_hit(self) -> bool:
        """Whether the group reached its memory cap (and so stalled in reclaim) or the kernel's
        out-of-memory killer ended one of its processes."""
        if self.memory is None:
            return False
        if self.unified:
            counts = _counters(_read(os.path.join(self.memory, "memory.events")))
            return counts.get("max", 0) > 0 or counts.get("oom_kill", 0) > 0
        oom = _counters(_read(os.path.join(self.memory, "memory.oom_control")))
        failures = _read(os.path.join(self.memory, "memory.failcnt")).strip()
        return oom.get("oom_kill", 0) > 0 or (failures.isdigit() and int(failures) > 0)

    def _memory_file(self, v1: str, v2: str) -> str | None:
        if self.memory is None:
            return None
        return os.path.join(self.memory, v2 if self.unified else v1)

    def memory_file(self) -> int:
        """Bytes of file pages (page cache of files read, such as torch's own libraries on
        their first use) charged to the group now. They count in its usage and peak but are
        not memory the learner's code asked for; shared memory is not among them (it sits on
        the anonymous lists)."""
        stat = self._memory_file("memory.stat", "memory.stat")
        if stat is None:
            return 0
        try:
            counts = _counters(_read(stat))
        except OSError:
            return 0
        keys = ("total_active_file", "total_inactive_file")
        if not self.unified and all(k in counts for k in keys):
            return sum(counts[k] for k in keys)
        return counts.get("active_file", 0) + counts.get("inactive_file", 0)

    def memory_usage(self, reset_peak: bool = False) -> tuple[int, int]:
        """(bytes charged to the group now, the most it held since the last reset); with
        `reset_peak`, the peak starts again from now. v2's memory.peak cannot be reset for
        another reader (only per open file, kernel 6.12 on), so there the peak is the usage now:
        a peak that counted loading would make a slow call look like a blow-up."""
        usage = self._memory_file("memory.usage_in_bytes", "memory.current")
        peak = self._memory_file("memory.max_usage_in_bytes", "memory.current")
        if usage is None or peak is None:
            return 0, 0
        if reset_peak and not self.unified:
            try:
                _write(peak, "0")
            except OSError:
                pass
        now, most = _read(usage).strip(), _read(peak).strip()
        now_bytes = int(now) if now.isdigit() else 0
        return now_bytes, max(now_bytes, int(most) if most.isdigit() else 0)

    def pids_in(self) -> list[int]:
        found: set[int] = set()
        for folder in self.folders():
            found.update(int(p) for p in _read(os.path.join(folder, "cgroup.procs")).split())
        return sorted(found)

    def signal_all(self) -> None:
        """SIGKILL every process in the group now, without waiting for them to exit."""
        for pid in self.pids_in():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def end(self, seconds: float = 2.0) -> bool:
        """Kill every process in the group and remove it; True when it is gone."""
        deadline = time.monotonic() + seconds
        while True:
            pids = self.pids_in()
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if not pids and self._remove():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

    def _remove(self) -> bool:
        gone = True
        for folder in self.folders():
            try:
                os.rmdir(folder)
            except FileNotFoundError:
                pass
            except OSError:
                gone = False
        return gone


def sweep() -> None:
    """Remove the empty groups of zygotes that are gone (one killed before it could clean up)."""
    for parent in (os.path.join(ROOT, c, PARENT) for c in ("memory", "pids", "")):
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            owner = name.split("-")[0]
            if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                _discard(os.path.join(parent, name))


def _v1_folder(controller: str, name: str) -> str:
    folder = os.path.join(ROOT, controller, PARENT, name)
    os.makedirs(folder)
    return folder


def create(name: str, memory_bytes: int, processes: int) -> tuple[Group | None, dict[str, str]]:
    """A new group named `name` with both caps set, and why a cap could not be set, if not."""
    if os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
        return _create_v2(name, memory_bytes, processes)
    why: dict[str, str] = {}
    memory = pids = None
    try:
        memory = _v1_folder("memory", name)
        _write(os.path.join(memory, "memory.limit_in_bytes"), str(memory_bytes))
        swap = os.path.join(memory, "memory.memsw.limit_in_bytes")
        if os.path.exists(swap):  # swapped-out pages must not escape the cap
            _write(swap, str(memory_bytes))
    except OSError as error:
        why["cgroup_memory"] = f"cannot create a memory cgroup under {ROOT}/memory: {error}"
        _discard(memory)
        memory = None
    try:
        pids = _v1_folder("pids", name)
        _write(os.path.join(pids, "pids.max"), str(processes))
    except OSError as error:
        why["cgroup_pids"] = f"cannot create a pids cgroup under {ROOT}/pids: {error}"
        _discard(pids)
        pids = None
    if memory is None and pids is None:
        return None, why
    return Group(memory, pids), why


def _create_v2(name: str, memory_bytes: int, processes: int) -> tuple[Group | None, dict[str, str]]:
    parent = os.path.join(ROOT, PARENT)
    folder = os.path.join(parent, name)
    try:
        os.makedirs(parent, exist_ok=True)
        _write(os.path.join(ROOT, "cgroup.subtree_control"), "+memory +pids")
        _write(os.path.join(parent, "cgroup.subtree_control"), "+memory +pids")
        os.mkdir(folder)
        _write(os.path.join(folder, "memory.max"), str(memory_bytes))
        if os.path.exists(os.path.join(folder, "memory.swap.max")):
            _write(os.path.join(folder, "memory.swap.max"), "0")
        _write(os.path.join(folder, "pids.max"), str(processes))
    except OSError as error:
        _discard(folder)
        why = f"cannot create a cgroup under {parent}: {error}"
        return None, {"cgroup_memory": why, "cgroup_pids": why}
    return Group(folder, folder, unified=True), {}


def _discard(folder: str | None) -> None:
    if folder:
        try:
            os.rmdir(folder)
        except OSError:
            pass
