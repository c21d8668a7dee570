"""Objects that live as long as the process: made with no collection running, then frozen.

Importing torch makes about half a million objects that live until the process ends. Each
full collection while they are made, and each one after, walks all of them again (~80 ms on
these machines; in a forked child it also writes to every object's header, copy-on-write).
Used by a command's own process (cli_common) and by the zygote that children fork from.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def kept_for_good() -> Iterator[None]:
    """Collect nothing while the block runs, then freeze what it made. Only where torch is
    imported in the block: a process that has it already (a test session, a notebook) keeps
    its collector as it is, and nothing of it is frozen."""
    if "torch" in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


_HUGE = 1 << 21  # a transparent huge page on x86-64 and arm64
_MADV_COLLAPSE = 25  # Linux 6.1+: make huge pages now, not when khugepaged gets round to it


def in_huge_pages() -> int:
    """Move this process's private writable memory (torch's C++ heap and Python's arenas,
    ~150 MB once torch is imported) into transparent huge pages; return the bytes moved.

    For the zygote, which forks a process per file and that one a process per exercise: a
    fork copies one entry per 2 MB where it copied 512, and an exit frees as few. Measured on
    these machines, a bare fork and exit of a torch process fell from 5.2 to 2.4 ms, and the
    CPU of a whole reference check from 1.14 to 0.93 s. A child that writes to such a page
    gets its own 4 KB copy as before (the kernel splits the shared huge page first), so what
    each child is charged for memory does not change. Where the kernel cannot (no
    MADV_COLLAPSE, huge pages off, not Linux), nothing changes and 0 is returned."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    except (OSError, AttributeError):
        return 0
    moved = 0
    for start, end, permissions, path in mappings():
        # Anonymous private memory and the heap; never a file's pages, the stack or vdso.
        if permissions != "rw-p" or (path and path != "[heap]"):
            continue
        first, last = -(-start // _HUGE) * _HUGE, end // _HUGE * _HUGE
        if last <= first:
            continue
        if madvise(first, last - first, _MADV_COLLAPSE) == 0:
            moved += last - first
    return moved


def mappings() -> list[tuple[int, int, str, str]]:
    """This process's memory, as /proc/self/maps lists it: (start, end, permissions, the file
    or the kind of memory, "" for anonymous memory); [] where it cannot be read."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            lines = maps.read().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split(maxsplit=5)
        start, end = (int(x, 16) for x in fields[0].split("-"))
        found.append((start, end, fields[1], fields[5] if len(fields) == 6 else ""))
    return found


# A fixed mmap threshold stops glibc adapting it to each process's history, so that the coach
# times learner code and reference alike; the checker puts it in each zygote's environment.
MMAP_THRESHOLD_VARIABLE = "MALLOC_MMAP_THRESHOLD_"
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_DEFAULT_TRIM_THRESHOLD = 128 * 1024  # glibc's, which a fixed mmap threshold leaves as it is


def set_mmap_threshold(value: str | None) -> None:
    """What MALLOC_MMAP_THRESHOLD_ does when a process starts with it, for a process that was
    forked instead (glibc reads the variable only at start): the same threshold, no longer
    adapted, and the trim threshold it then keeps (glibc's default; a process that ran with an
    adapting threshold may have raised it, keeping freed memory where the learner process of a
    fresh zygote gives it back)."""
    if not value:
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, int(value))
        libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
    except (OSError, AttributeError, ValueError):
        return
