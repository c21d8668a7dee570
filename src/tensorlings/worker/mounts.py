"""The file system a jailed child sees: an allow list of read-only folders and nothing else.

An allow list rather than a list of things to hide: the checker cannot know every submissions
folder, grading output or `.git` on the machine, but it knows what a child needs (the system
folders, Python, the installed packages). Everything else is absent, the project checkout
included; the tensorlings package itself is covered by an empty folder even where it sits
inside an allowed one (a non-editable install in site-packages).
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom")
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_BIND, _MS_REC, _MS_PRIVATE, _MS_REMOUNT = 0x1000, 0x4000, 1 << 18, 32
_MNT_DETACH = 2
_CLONE_NEWNS = 0x00020000
_MOUNT_ATTR_RDONLY, _MOUNT_ATTR_NOSUID = 0x1, 0x2
_AT_FDCWD, _AT_RECURSIVE = -100, 0x8000
_SYS_PIVOT_ROOT = 41 if platform.machine() == "aarch64" else 155  # x86-64 otherwise
_SYS_MOUNT_SETATTR = 442  # the same number on every architecture
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]


@dataclass(frozen=True)
class Layout:
    exposed: tuple[str, ...]  # host folders bound read-only at the same path
    hidden: tuple[str, ...]  # folders inside exposed ones covered by an empty tmpfs


def _package_and_checkout() -> tuple[str, str | None]:
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent.parent if package.parent.name == "src" else None
    return str(package), str(checkout) if checkout else None


def hidden_roots() -> tuple[str, ...]:
    """The folders that are never in the sandbox: the tensorlings package and its checkout."""
    package, checkout = _package_and_checkout()
    return (package, checkout) if checkout else (package,)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _is_package_folder(path: str, prefixes: set[str]) -> bool:
    """A sys.path entry worth showing: inside a Python prefix, or a packages folder; never the
    current or temporary folder a script was started from."""
    if not path or not os.path.isdir(path):
        return False
    real = os.path.realpath(path)
    in_prefix = any(_inside(real, os.path.realpath(p)) for p in prefixes)
    return in_prefix or os.path.basename(real) in ("site-packages", "dist-packages")


@functools.cache
def layout() -> Layout:
    """What to show: the system, this Python, its packages; never the checkout or the package."""
    package, checkout = _package_and_checkout()
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    wanted = set(SYSTEM) | prefixes | {p for p in sys.path if _is_package_folder(p, prefixes)}
    exposed = set()
    for path in wanted:
        if os.path.islink(path):  # /bin -> usr/bin: recreated as the same link
            exposed.add(path)
            continue
        real = os.path.realpath(path)
        if not os.path.isdir(real) or _inside(real, package):
            continue
        if checkout and _inside(real, checkout) and not any(_inside(real, p) for p in prefixes):
            continue  # the checkout's own folders (src/): only its virtual environment is shown
        exposed.add(real)
    exposed = {p for p in exposed if not any(q != p and _inside(p, q) for q in exposed)}
    hidden = {p for p in (package, checkout) if p and any(_inside(p, q) for q in exposed)}
    return Layout(tuple(sorted(exposed)), tuple(sorted(hidden)))


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(
            source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
            data.encode() if data else None,
        ),
        f"mount {source} on {target}",
    )  # fmt: skip


def _tmpfs(target: str, options: str, flags: int = _MS_NOSUID | _MS_NODEV) -> None:
    _mount("tmpfs", target, "tmpfs", flags, options)


def _expose(root: str, path: str, mounted: list[str]) -> None:
    target = root + path
    if os.path.islink(path):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(path), target)
        return
    if not any(_inside(path, m) for m in mounted):  # else the folder exists in that mount
        os.makedirs(target, exist_ok=True)
    _mount(path, target, None, _MS_BIND | _MS_REC)
    mounted.append(path)


def _devices(root: str) -> None:
    os.makedirs(root + "/dev/shm")
    gpus = [os.path.basename(p) for p in glob.glob("/dev/nvidia*") if not os.path.isdir(p)]
    for name in (*DEVICES, *gpus):  # a CUDA check needs the GPU's device files
        target = f"{root}/dev/{name}"
        open(target, "w").close()
        _mount(f"/dev/{name}", target, None, _MS_BIND)
    for name, link in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                       ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):  # fmt: skip
        os.symlink(link, f"{root}/dev/{name}")


def _read_only(root: str) -> None:
    """Every mount under `root` read-only and nosuid at once (mount_setattr, Linux 5.12)."""
    attr = (ctypes.c_uint64 * 4)(_MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID, 0, 0, 0)
    result = _libc.syscall(
        _SYS_MOUNT_SETATTR, _AT_FDCWD, root.encode(), _AT_RECURSIVE, attr, ctypes.sizeof(attr)
    )
    _check(result, "mount_setattr(read-only)")


def build_template(layout: Layout, root: str) -> None:
    """In a new mount namespace of a helper process: mount the read-only root on `root` and
    make it this namespace's root. Children enter a copy of it (`enter`); building it once
    saves every check a dozen mounts."""
    _mount("none", "/", None, _MS_REC | _MS_PRIVATE)
    _tmpfs(root, "size=16m,mode=755")
    mounted: list[str] = []
    for path in layout.exposed:
        _expose(root, path, mounted)
    for path in layout.hidden:
        _tmpfs(root + path, "size=4k,mode=555", _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    _devices(root)
    os.makedirs(root + "/tmp", exist_ok=True)
    os.makedirs(root + "/proc", exist_ok=True)
    _read_only(root)
    os.chdir(root)
    _check(_libc.syscall(_SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", _MNT_DETACH), "detach the old root")
    os.chdir("/")


def cover(paths: tuple[str, ...]) -> None:
    """Cover each folder with an empty read-only tmpfs and each file with an empty one, in this
    process's mount namespace: the packs' solutions, wherever they lie. Absent paths are skipped
    (nothing to read there)."""
    for path in paths:
        if os.path.isdir(path):
            _tmpfs(path, "size=4k,mode=555", _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        elif os.path.isfile(path):
            _mount("/dev/null", path, None, _MS_BIND)
            _mount("none", path, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY)


def enter(template: int, workdir: str, folder_bytes: int, hide: tuple[str, ...] = ()) -> None:
    """Move into a private copy of the template's mount namespace (fd `template`) with an
    empty, writable /tmp and /dev/shm of `folder_bytes` each, a /proc of this PID namespace
    that shows other users' processes not at all, `hide` covered, and `workdir` made and
    entered."""
    _check(_libc.setns(template, _CLONE_NEWNS), "setns into the sandbox's root")
    _check(_libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    cover(hide)
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "hidepid=2")
    # A Python or its packages under /tmp (a checkout or venv there, as in CI) must stay visible
    # through the private /tmp: hold them open, cover /tmp, then bind them back, read-only.
    under_tmp = [p for p in layout().exposed if _inside(p, "/tmp") and os.path.isdir(p)]
    held = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in under_tmp]
    _tmpfs("/tmp", f"size={folder_bytes},mode=1777")
    for path, fd in held:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
        _read_only(path)
        os.close(fd)
    _tmpfs("/dev/shm", f"size={folder_bytes},mode=1777")
    os.makedirs(workdir, mode=0o700)
    os.chown(workdir, 65534, 65534)
    os.chdir(workdir)
