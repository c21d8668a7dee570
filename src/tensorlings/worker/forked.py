"""Becoming a zygote in a process forked from a prepared one, instead of a fresh interpreter.

A fresh zygote (`python -I -m tensorlings.worker.zygote FD`, started by the checker with an
environment of three variables and no descriptor but its socket) pays ~1.5 s of CPU to import
torch. Grading's pool processes hold torch already, imported by the pool's server exactly as a
zygote prepares (zygote.py, `prepare`), and fork their zygotes from themselves instead
(grading/pool_server.py says when they may). `become` then drops, before any child exists,
everything of that process that an exec would have dropped; docs/threat-model/sandbox.md
("Where the zygote comes from") lists it, and tests/grading/test_pool_zygote.py and
tests/isolation/test_forked_zygote.py compare the two kinds of zygote.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import socket
import sys
from typing import Any, NoReturn

from tensorlings.worker import heap, zygote


def become(
    control_fd: int, flags: list[str], path: list[str], environment: dict[str, str]
) -> NoReturn:
    """Turn this process, just forked from a prepared one (zygote.py's `prepare`) that held
    nothing of a check yet, into a zygote: what `python -I -m tensorlings.worker.zygote FD`
    would be, less the ~1.5 s of CPU its torch import costs (grading's pool processes fork
    theirs before their first task: checker/sandbox.py's `ZygoteHandle(fork_first=True)`).

    What the process it was forked from held and an exec would have dropped is dropped here,
    before any child exists: a session of its own; no descriptor but the control socket (and
    standard streams on /dev/null); the checker's environment (`environment` is the one an
    exec'd zygote gets, and the bytes the kernel shows as /proc/self/environ are wiped); the
    shared memory of its parent's process pool (multiprocessing's semaphores); the search path
    of `python -I` (`path`); the grader's command line, its Ctrl-C ignored and its
    multiprocessing key (`_start_as_exec_would`). Nothing made before the fork is ever
    collected here."""
    try:
        os.setsid()
        gc.freeze()
        _only_descriptor(control_fd)
        os.environ.clear()
        _wipe_inherited_environment()
        os.environ.update(environment)
        heap.set_mmap_threshold(environment.get(heap.MMAP_THRESHOLD_VARIABLE))
        _unmap_shared_semaphores()
        sys.path[:] = path
        _start_as_exec_would(control_fd, flags)
        control = socket.socket(fileno=control_fd)
        control.set_inheritable(False)
        zygote.serve(control, flags)
    finally:
        os._exit(1)


def _only_descriptor(keep: int) -> None:
    """Close every descriptor but `keep` and the standard streams (on /dev/null, as the checker
    starts an exec'd zygote). The streams' Python objects are replaced first, so that the old
    ones close their own descriptors now rather than, when collected later, one that number
    has been given to since; the frames that hold the parent's other objects never return."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    # As `python -I` makes them under the zygote's C.UTF-8 locale.
    errors = ("surrogateescape", "surrogateescape", "backslashreplace")
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        mode = "r" if fd == 0 else "w"
        stream = open(fd, mode, encoding="utf-8", errors=errors[fd], closefd=False)  # noqa: SIM115
        stream.buffer.raw.name = f"<{name}>"  # type: ignore[attr-defined]
        setattr(sys, name, stream)
        setattr(sys, ("__stdin__", "__stdout__", "__stderr__")[fd], stream)
    os.close(null)
    os.closerange(3, keep)
    os.closerange(keep + 1, max(os.sysconf("SC_OPEN_MAX"), 4096))


def _start_as_exec_would(control_fd: int, flags: list[str]) -> None:
    """What this process still holds of the grader and an exec'd zygote would not: its command
    line in sys.argv (other submissions' names, a seed given with --seed) and in the bytes the
    kernel shows as /proc/self/cmdline (the grader's sys.path), SIGINT ignored (the pool's
    processes leave Ctrl-C to the grader; learner processes would inherit that), and the
    pool's multiprocessing identity (the grader's key, its pid, its temporary folder); the main
    module is this one, as under `-m`."""
    sys.argv[:] = [os.path.abspath(str(zygote.__file__)), str(control_fd), *flags]
    sys.orig_argv[:] = [sys.executable, "-I", "-m", zygote.__name__, *sys.argv[1:]]
    _rewrite_command_line(sys.orig_argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.modules["__main__"] = sys.modules["__mp_main__"] = zygote
    process: Any = sys.modules.get("multiprocessing.process")
    if process is not None:  # as at its import: a main process of its own, with a fresh key
        current = process.current_process()
        current.authkey, current.name = os.urandom(32), "MainProcess"
        current._identity, process._parent_process = (), None
        current._config.pop("tempdir", None)  # the grader's /tmp/pymp-*


def _rewrite_command_line(argv: list[str]) -> None:
    """Write `argv` over the command line this process was started with, NUL-padded; left as
    it is when it would not fit (it always does: the forkserver's is far longer)."""
    text = b"\0".join(os.fsencode(a) for a in argv) + b"\0"
    start, end = _started_with(45)  # arg_start, arg_end (fields 48 and 49)
    if start > 0 and len(text) <= end - start:
        ctypes.memmove(start, text, len(text))
        ctypes.memset(start + len(text), 0, end - start - len(text))


def _wipe_inherited_environment() -> None:
    """Zero the environment block this process was started with (the pool server's, shown as
    /proc/self/environ to whoever may read it); os.environ is empty by now, so nothing in the
    C library's table points into it any more."""
    start, end = _started_with(47)  # env_start, env_end (fields 50 and 51)
    if 0 < start < end:
        ctypes.memset(start, 0, end - start)


def _started_with(field: int) -> tuple[int, int]:
    """Where the block of bytes at `field` of /proc/self/stat (after the command's name) and the
    next one say it starts and ends; (0, 0) when unknown."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[field]), int(fields[field + 1])
    except (OSError, IndexError, ValueError):
        return 0, 0


def _unmap_shared_semaphores() -> None:
    """Unmap the semaphores of the process pool this process was forked from: shared memory
    that no child of a zygote has any business holding."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    for start, end, _, path in heap.mappings():
        if path.startswith("/dev/shm/sem."):
            libc.munmap(start, end - start)
