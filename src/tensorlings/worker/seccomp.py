"""A seccomp filter for the learner's process: no way out of the sandbox through a system call.

Written as a small classic-BPF program rather than through libseccomp: the Python bindings of
libseccomp do not install with pip alone (they need the C library and its headers), and the
whole policy is a short deny list that fits in a few dozen instructions. The filter is for
x86-64 only; elsewhere `install` says so and the `seccomp` layer is reported missing.

Denied with EPERM: ptrace and reading other processes' memory, every mount and namespace call
(mount, umount, pivot_root, chroot, setns, unshare, clone with a CLONE_NEW* flag), loading
kernel code (modules, BPF, kexec), perf, keyrings, handles to files by number, userfaultfd,
io_uring (whose requests bypass seccomp), and changing the machine (clock, hostname, swap,
reboot). clone3 answers ENOSYS, because its
flags sit in memory a filter cannot read; glibc then falls back to clone, whose flags it can.
Signalling pid 1, which inside the sandbox stands for the checker that started it, ends the
process at once (the check reports it `crashed`).
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
from collections.abc import Sequence

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000
_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
_OFFSET_NR, _OFFSET_ARCH, _OFFSET_ARG0 = 0, 4, 16  # fields of struct seccomp_data

# x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
DENIED = {
    "ptrace": 101,
    "syslog": 103,
    "uselib": 134,
    "vhangup": 153,
    "pivot_root": 155,
    "adjtimex": 159,
    "chroot": 161,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "sethostname": 170,
    "setdomainname": 171,
    "iopl": 172,
    "ioperm": 173,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "clock_adjtime": 305,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "io_uring_setup": 425,  # its requests are not seen by seccomp at all
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "pidfd_getfd": 438,
    "mount_setattr": 442,
}
_CLONE = 56
_CLONE3 = 435
_CLONE_NEW_FLAGS = (
    0x7E020080  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
)
# Calls whose first argument names the process (or thread) they reach.
SIGNALS = {
    "kill": 62,
    "rt_sigqueueinfo": 129,
    "tkill": 200,
    "tgkill": 234,
    "rt_tgsigqueueinfo": 297,
    "pidfd_open": 434,
}
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program(guarded: Sequence[int] = (1,)) -> bytes:
    """The filter as raw `struct sock_filter` instructions (8 bytes each)."""
    eperm = _RET_ERRNO | errno.EPERM
    ops = [
        _op(_LD_ABS, _OFFSET_ARCH),
        _op(_JEQ, _AUDIT_ARCH_X86_64, jt=1),
        _op(_RET, _RET_KILL_PROCESS),
        _op(_LD_ABS, _OFFSET_NR),
        _op(_JGE, _X32_BIT, jf=1),  # the x32 numbering would bypass every rule below
        _op(_RET, eperm),
    ]
    for number in DENIED.values():
        ops += [_op(_JEQ, number, jf=1), _op(_RET, eperm)]
    ops += [_op(_JEQ, _CLONE3, jf=1), _op(_RET, _RET_ERRNO | errno.ENOSYS)]
    ops += [
        _op(_JEQ, _CLONE, jf=4),
        _op(_LD_ABS, _OFFSET_ARG0),
        _op(_JSET, _CLONE_NEW_FLAGS, jf=1),
        _op(_RET, eperm),
        _op(_RET, _RET_ALLOW),
    ]
    targets = sorted({pid & 0xFFFFFFFF for pid in guarded})  # a negative pid is a group
    for number in SIGNALS.values():
        ops += [_op(_JEQ, number, jf=3 + len(targets)), _op(_LD_ABS, _OFFSET_ARG0)]
        ops += [_op(_JEQ, target, jt=len(targets) - i) for i, target in enumerate(targets)]
        ops += [_op(_RET, _RET_ALLOW), _op(_RET, _RET_KILL_PROCESS)]
    ops.append(_op(_RET, _RET_ALLOW))
    return b"".join(ops)


# Calls that reach another process by its pid (first argument; 0 is the caller), beyond the
# signals: its limits, its scheduling, its pages. Between processes of one user the kernel
# allows them all, so an exercise's process could slow, starve or cap the file's process or
# the one forked ahead for the next exercise. Not sched_setaffinity: thread pools pin their
# threads by thread id (pthread_setaffinity_np), and pinning a neighbour changes no verdict.
_PID_FIRST = {
    **SIGNALS,
    "sched_setparam": 142,
    "sched_setscheduler": 144,
    "migrate_pages": 256,
    "move_pages": 279,
    "prlimit64": 302,
    "sched_setattr": 314,
}
# (which, who): who is the second argument, which must be the process itself (0).
_WHICH_WHO = {"setpriority": 141, "ioprio_set": 251}
# Reach a process through a descriptor of it (a pidfd, or a /proc/<pid> folder opened as one).
_BY_DESCRIPTOR = {"pidfd_send_signal": 424, "process_madvise": 440, "process_mrelease": 448}


def own_process_program(pid: int) -> bytes:
    """A filter stacked on an exercise's process: every call that names a process may name only
    this one (`pid`, its own group `-pid`, or 0), never a neighbour (EPERM)."""
    eperm = _RET_ERRNO | errno.EPERM
    own = sorted({0, pid & 0xFFFFFFFF, -pid & 0xFFFFFFFF})
    ops = [
        _op(_LD_ABS, _OFFSET_ARCH),
        _op(_JEQ, _AUDIT_ARCH_X86_64, jt=1),
        _op(_RET, _RET_KILL_PROCESS),
        _op(_LD_ABS, _OFFSET_NR),
    ]
    for number in _BY_DESCRIPTOR.values():
        ops += [_op(_JEQ, number, jf=1), _op(_RET, eperm)]
    for number in _PID_FIRST.values():
        ops += [_op(_JEQ, number, jf=3 + len(own)), _op(_LD_ABS, _OFFSET_ARG0)]
        ops += [_op(_JEQ, target, jt=len(own) - i) for i, target in enumerate(own)]
        ops += [_op(_RET, eperm), _op(_RET, _RET_ALLOW)]
    for number in _WHICH_WHO.values():
        ops += [_op(_JEQ, number, jf=7), _op(_LD_ABS, _OFFSET_ARG0), _op(_JEQ, 0, jf=3)]
        ops += [_op(_LD_ABS, _OFFSET_ARG0 + 8), _op(_JEQ, 0, jt=2), _op(_JEQ, pid, jt=1)]
        ops += [_op(_RET, eperm), _op(_RET, _RET_ALLOW)]
    ops.append(_op(_RET, _RET_ALLOW))
    return b"".join(ops)


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install(guarded: Sequence[int] = (1,), code: bytes | None = None) -> str | None:
    """Install the filter on this process and all it starts; None when done, else why not.

    `guarded` are the processes (and, negative, process groups) that signals must not reach:
    the sandbox's pid 1, or outside a PID namespace the zygote, the checker and their groups.
    `code`, when given, is another program to stack (filters add up: each can only deny more).
    """
    if platform.machine() != "x86_64":
        return f"no seccomp filter is written for {platform.machine()} (only x86_64)"
    code = program(guarded) if code is None else code
    prog = _Program(len(code) // 8, code)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {_strerror()}"
        if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
            return f"prctl(PR_SET_SECCOMP) failed: {_strerror()}"
    except (OSError, AttributeError) as error:
        return f"no seccomp: {error}"
    return None


def _strerror() -> str:
    return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
