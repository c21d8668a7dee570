"""Giving up privileges in a sandboxed child: user nobody, a new user namespace, no
capabilities, and none of the zygote's open files."""

from __future__ import annotations

import ctypes
import os

NOBODY = 65534
_CLONE_NEWUSER = 0x10000000
_PR_SET_DUMPABLE = 4
_libc = ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int, what: str) -> str | None:
    if _libc.unshare(flags) != 0:
        return f"unshare({what}) failed: {os.strerror(ctypes.get_errno())}"
    return None


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def _drop_capabilities() -> None:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def become_nobody() -> str | None:
    """Become user nobody (when root) in a new user namespace with no capabilities; None when
    done, else why not."""
    try:
        if os.geteuid() == 0:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
        # A change of user makes the process undumpable, which gives its /proc/self files to
        # root: the peak-memory reset (/proc/self/clear_refs) would then silently fail and the
        # coach would blame the learner for memory it never used. ptrace stays refused (seccomp).
        if _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0) != 0:
            return f"prctl(PR_SET_DUMPABLE) failed: {os.strerror(ctypes.get_errno())}"
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


def close_all_but(keep: set[int]) -> None:
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


def set_dumpable(dumpable: bool) -> str | None:
    """Whether other processes of this user may read or write this one's memory and files under
    /proc/<pid> (ptrace rules); None when set, else why not."""
    if _libc.prctl(_PR_SET_DUMPABLE, int(dumpable), 0, 0, 0) != 0:
        return f"prctl(PR_SET_DUMPABLE) failed: {os.strerror(ctypes.get_errno())}"
    return None
