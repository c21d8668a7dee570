"""Rule evidence the learner cannot switch off: a PEP 578 audit hook and guards on torch's
mode-stack internals, installed in the child before any learner code runs.

An audit hook cannot be removed once added. While learner code runs (`armed`), the hook denies
what would let it hide calls from the recorder or reach the checker's objects: threads, trace
and profile hooks, walks of the garbage collector, ctypes, code compiled under another file's
name, reading frames (`sys._getframe`, `tb_frame`, `__globals__`) from the learner's own code,
and writing importable modules. A denied action raises inside the learner's code (it does not
happen) and is recorded; the checker turns the record into a `tampering` failure. The record
lives in this module's closure state, which learner code could only reach through the very
introspection that is denied.

torch's mode stack is guarded the same way: calling `DisableTorchFunction`, popping or reading
the function-mode stack from anywhere but torch itself is denied and recorded.
"""

from __future__ import annotations

import builtins
import os
import sys
import types

# Bound at import, before any learner code, as in recorder.py.
from builtins import (  # noqa: UP029 (see above)
    all,
    any,
    bool,
    bytes,
    dict,
    frozenset,
    getattr,
    id,
    int,
    isinstance,
    len,
    list,
    map,
    setattr,
    str,
    tuple,
    vars,
)
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import is_
from typing import Any

import torch
import torch.overrides

_getframe = sys._getframe  # bound before any learner code can replace it
_basename = os.path.basename
_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_WORKER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MAX_EVENTS = 20
_INSPECT = os.sep + "inspect.py"
_STDLIB = os.path.dirname(os.__file__) + os.sep
_SITE = os.sep + "site-packages" + os.sep
_PROXIES = (os.path.join(os.path.dirname(os.__file__), "ctypes") + os.sep,)
# These hand a frame to their direct caller (traceback.walk_stack and walk_tb,
# logging.currentframe) but also read frames for their own use (print_exc, findCaller): only
# a direct call from the learner's code is theirs.
_HANDS_OUT_FRAMES = (
    os.path.join(_STDLIB, "traceback.py"),
    os.path.join(_STDLIB, "logging", "__init__.py"),
)

# Denied whoever asks, while learner code runs.
_ALWAYS = {
    "sys.settrace": "installs a trace hook (sys.settrace)",
    "sys.setprofile": "installs a profile hook (sys.setprofile)",
    "_thread.start_new_thread": "starts a thread",
    "gc.get_objects": "walks the garbage collector's objects (gc.get_objects)",
    "gc.get_referrers": "walks the garbage collector (gc.get_referrers)",
    "gc.get_referents": "walks the garbage collector (gc.get_referents)",
    "sys._current_frames": "reads every thread's frames",
    "sys.addaudithook": "adds an audit hook",
    "code.__new__": "builds a code object by hand",
    "function.__new__": "builds a function from a code object",
    "cpython.PyInterpreterState_Clear": "tears down the interpreter",
}
# Denied when the learner's file (or inspect on its behalf) asks: libraries use these honestly.
_FROM_LEARNER = {
    "sys._getframe": "reads the call stack (sys._getframe)",
    "object.__getattr__": "reads a frame or a function's globals",
}
# Another process runs torch where the recorder cannot count: noted (the exercise fails), not
# refused, so that the sandbox's own clean-up of what it started can still be relied on.
_PROCESSES = {
    "os.fork": "forks a process",
    "os.forkpty": "forks a process",
    "os.posix_spawn": "starts a process",
    "os.spawn": "starts a process",
    "os.exec": "runs another program",
    "os.system": "runs another program",
    "subprocess.Popen": "runs another program",
}
# Judged also while no learner code is meant to run, when learner code is on the stack.
_UNARMED = frozenset(_ALWAYS) | frozenset(_FROM_LEARNER) | frozenset(_PROCESSES) | {"compile"}
_MOVES = ("os.rename", "os.link", "os.symlink", "shutil.copyfile")
_IMPORTABLE = (".py", ".pyc", ".pth", ".so")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

# torch internals that switch the recorder off or reach it.
_TORCH_C_GUARDED = (
    "DisableTorchFunction",
    "DisableTorchFunctionSubclass",
    "_pop_torch_function_stack",
    "_push_on_torch_function_stack",
    "_get_function_stack_at",
    "_len_torch_function_stack",
    "_set_torch_function_mode",
    "_disabled_torch_function_impl",
    "_set_torch_function_state",
    "_set_skip_next_torch_function",
    "_skip_one_hop_torch_function",
)
_OVERRIDES_GUARDED = (
    "_pop_mode",
    "_pop_mode_temporarily",
    "_push_mode",
    "_get_current_function_mode",
    "_get_current_function_mode_stack",
)


class Tampering(RuntimeError):
    """Raised inside learner code for an action the checker does not allow."""


class Audit:
    """The hook's state: whether learner code is running, and what it was refused."""

    def __init__(self, learner_file: str = "") -> None:
        self.learner_file = learner_file
        self.armed = False
        self.busy = False  # the hook's own frame reads raise events too
        self.events: list[str] = []

    @contextmanager
    def running(self) -> Iterator[None]:
        """Learner code runs inside this block. It starts with the builtins as they were before
        any learner code ran; one it replaces (getattr, isinstance, which the recorder and the
        worker use) is tampering, and put back."""
        _BUILTINS.update(_ORIGINAL_BUILTINS)
        self.armed = True
        try:
            yield
        finally:
            self.armed = False
            replaced = _restore_builtins()
            if replaced:
                self.note(f"replaces the builtin {', '.join(replaced[:5])}")

    @contextmanager
    def loading(self) -> Iterator[None]:
        """A top-level statement: as `running`, but a builtin it replaces for the file's own use
        is only put back before anything is judged (so that it cannot blind the checks)."""
        self.armed = True
        try:
            yield
        finally:
            self.armed = False
            _restore_builtins()

    def note(self, what: str) -> None:
        if len(self.events) < _MAX_EVENTS and what not in self.events:
            self.events.append(what)

    def take(self) -> list[str]:
        events, self.events = self.events, []
        return events

    def refuse(self, what: str) -> None:
        if len(self.events) < _MAX_EVENTS and what not in self.events:
            self.events.append(what)
        raise Tampering(f"not allowed while your work is checked: the code {what}")

    def caller_is_learner(self, depth: int) -> bool:
        """The frame `depth` levels up is the learner's file (or inspect, asked by it)."""
        try:
            frame: types.FrameType | None = _getframe(depth)
        except ValueError:
            return False
        if frame is None:
            return False
        filename = frame.f_code.co_filename
        # inspect and ctypes act for whoever called them: look one frame further out.
        while filename.startswith(_PROXIES) or filename.endswith(_INSPECT):
            frame = frame.f_back
            if frame is None:
                return False
            filename = frame.f_code.co_filename
        if filename in _HANDS_OUT_FRAMES and frame.f_back is not None:
            filename = frame.f_back.f_code.co_filename
        return filename == self.learner_file or filename.startswith("<")

    def origin_is_learner(self) -> bool:
        """The nearest frame outside the standard library (threading, concurrent.futures act
        for their caller) is the learner's: a library's own thread (tqdm's monitor) is not."""
        frame: types.FrameType | None = _getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if not (filename.startswith(_STDLIB) and _SITE not in filename):
                return filename == self.learner_file or filename.startswith("<")
            frame = frame.f_back
        return False

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.busy or not (self.armed or event in _UNARMED or event.startswith("ctypes.")):
            return
        self.busy = True
        try:
            if self.armed or self._learner_unarmed(event, args):
                self._judge(event, args)
        finally:
            self.busy = False

    def _learner_unarmed(self, event: str, args: tuple[Any, ...]) -> bool:
        """Learner code running outside `running`: a finaliser (`__del__`, a weakref callback)
        or a method of a returned object called while the result is sent back. What it starts
        there (a thread, a trace hook) would outlive the check of one call."""
        if event == "object.__getattr__" and not _frame_like(args):
            return False
        return bool(self.learner_file) and self.learner_on_stack()

    def learner_on_stack(self) -> bool:
        frame: types.FrameType | None = _getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.learner_file:
                return True
            frame = frame.f_back
        return False

    def _judge(self, event: str, args: tuple[Any, ...]) -> None:
        # Seen from caller_is_learner: itself, _judge, hook, then the frame that raised it.
        if event in _ALWAYS:
            self.refuse(_ALWAYS[event])
        elif event in _PROCESSES:
            self.note(f"{_PROCESSES[event]} (the recorder sees only the checked process)")
        elif event in _FROM_LEARNER:
            if event == "object.__getattr__" and not _frame_like(args):
                return
            if self.caller_is_learner(3):
                self.refuse(_FROM_LEARNER[event])
        elif event.startswith("ctypes.") and self.caller_is_learner(3):
            # Libraries load their own C code through ctypes (numpy, at import): only the
            # learner's own use is refused.
            self.refuse(f"uses ctypes ({event})")
        elif event == "compile":
            self._compile(args)
        elif event == "open":
            self._open(args)
        elif event in _MOVES and len(args) > 1 and _importable(args[1]):
            self.refuse(f"writes an importable module ({event})")

    def _compile(self, args: tuple[Any, ...]) -> None:
        filename = args[1] if len(args) > 1 else None
        if filename == self.learner_file:
            return  # the loader's own compile of the learner's statements, or the same name
        if self.caller_is_learner(4):
            self.refuse(f"compiles code under another name ({str(filename)[:80]!r})")

    def _open(self, args: tuple[Any, ...]) -> None:
        path, mode, flags = (list(args) + [None, None, 0])[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writing and _importable(path):
            self.refuse(f"writes an importable module ({str(path)[:80]!r})")
        if writing and _process_memory(path):
            self.refuse("writes to a process's memory (/proc/…/mem), the recorder's included")


def _frame_like(args: tuple[Any, ...]) -> bool:
    """`object.__getattr__` for a traceback's, generator's or function's hidden parts."""
    return len(args) > 1 and args[1] in (
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "__globals__",
        "f_back",
        "f_globals",
        "f_locals",
    )


def _restore_builtins() -> list[str]:
    """Put the original builtins back; the names learner code had replaced or removed (a name
    it added stays: nothing of the checker's looks it up)."""
    # The common case (nothing replaced) in C: one identity test per name, no Python frame.
    if all(map(is_, map(_BUILTINS.get, _BUILTIN_NAMES), _BUILTIN_VALUES)):
        return []
    replaced = [
        name for name, value in _ORIGINAL_BUILTINS.items() if _BUILTINS.get(name) is not value
    ]
    if replaced:
        _BUILTINS.update(_ORIGINAL_BUILTINS)
    return replaced


def _process_memory(path: Any) -> bool:
    """/proc/<pid>/mem, however it is reached (`mem` from a /proc folder given as dir_fd, which
    the event does not show): a file of that name is never written by tensor code."""
    if isinstance(path, bytes):
        path = path.decode(errors="replace")
    return isinstance(path, str | os.PathLike) and _basename(str(path)) == "mem"


def _importable(path: Any) -> bool:
    if isinstance(path, bytes):
        path = path.decode(errors="replace")
    return isinstance(path, str | os.PathLike) and str(path).endswith(_IMPORTABLE)


def _guard(audit: Audit, original: Any, name: str) -> Callable[..., Any]:
    """`original`, refused to any caller outside torch and this worker while armed."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if audit.armed:
            caller = _getframe(1).f_code.co_filename
            if not caller.startswith((_TORCH_DIR, _WORKER_DIR)):
                audit.refuse(f"calls torch's internal {name}, which switches off the recorder")
        return original(*args, **kwargs)

    guarded.__name__ = getattr(original, "__name__", name)
    guarded.__qualname__ = guarded.__name__
    return guarded


def _binding_sites() -> list[tuple[dict[str, Any], str, Any, str]]:
    """Where torch's modules bound the guarded internals: (namespace, key, original, name).

    Found once when this module is imported (in the zygote, which imports the child's code),
    since walking torch's ~800 modules costs tens of milliseconds; each child then only swaps
    the entries. Modules imported later bind from torch._C and torch.overrides, which by then
    hold the guards."""
    originals: dict[int, tuple[Any, str]] = {}
    for module, names in ((torch._C, _TORCH_C_GUARDED), (torch.overrides, _OVERRIDES_GUARDED)):
        for name in names:
            original = getattr(module, name, None)
            if original is not None:
                originals[id(original)] = (original, f"{module.__name__}.{name}")
    sites = []
    for module in _torch_modules():
        for key, value in list(vars(module).items()):
            found = originals.get(id(value))
            if found is not None and found[0] is value:
                sites.append((vars(module), key, value, found[1]))
    return sites


def _guard_torch(audit: Audit) -> None:
    """Replace torch's mode-stack internals, wherever torch's modules bound them, by guards."""
    guards: dict[int, Any] = {}
    for namespace, key, original, name in _SITES:
        guard = guards.get(id(original))
        if guard is None:
            guard = guards[id(original)] = _guard(audit, original, name)
        if namespace.get(key) is original:
            namespace[key] = guard


def _guard_threads(audit: Audit) -> None:
    """Python 3.11 raises no audit event for a new thread: guard the functions that make them
    (`start_new_thread` and its old alias `start_new`; threading bound the first at import)."""
    import _thread
    import threading

    for name in ("start_new_thread", "start_new"):
        original = getattr(_thread, name, None)
        if original is None:
            continue
        guard = _thread_guard(audit, original)
        setattr(_thread, name, guard)
        if getattr(threading, "_start_new_thread", None) is original:
            threading._start_new_thread = guard  # type: ignore[attr-defined]


def _thread_guard(audit: Audit, original: Callable[..., Any]) -> Callable[..., Any]:
    def start_new_thread(*args: Any, **kwargs: Any) -> Any:
        if (audit.armed or audit.learner_on_stack()) and audit.origin_is_learner():
            audit.refuse("starts a thread (the recorder sees only the calling thread)")
        return original(*args, **kwargs)

    return start_new_thread


def _torch_modules() -> Iterable[types.ModuleType]:
    for name, module in list(sys.modules.items()):
        if (name == "torch" or name.startswith("torch.")) and isinstance(module, types.ModuleType):
            yield module


_SITES = _binding_sites()
_BUILTINS = vars(builtins)
_ORIGINAL_BUILTINS = dict(_BUILTINS)  # taken in the zygote, before any learner code
_BUILTIN_NAMES = tuple(_ORIGINAL_BUILTINS)
_BUILTIN_VALUES = tuple(_ORIGINAL_BUILTINS.values())


def install(learner_file: str) -> Audit:
    """Add the hook and the torch guards (once per process; the hook is permanent)."""
    audit = Audit(learner_file)
    _guard_torch(audit)
    _guard_threads(audit)
    sys.addaudithook(audit.hook)
    return audit
