"""One child process per checked file: load it once, then run exercises on request.

Forked from the zygote (torch already imported, no op ever run). Limits are set before any
learner code runs; results go back as plain data over the socket. Verdicts are decided by the
checker, never here.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import resource
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

import torch

from tensorlings.messages import wire as protocol
from tensorlings.messages.frames import Ended, Profiled, ResultFrame, Statement
from tensorlings.messages.replies import (
    CallResult,
    ErrorInfo,
    LoadReply,
    Note,
    literal_encoding,
)
from tensorlings.messages.requests import (
    DEFAULT_MAX_BYTES,
    Call,
    ExerciseRequest,
    LoadRequest,
    Op,
    ProfileRequest,
    RunRequest,
    op_of,
)
from tensorlings.worker import (
    audit,
    constant_return,
    encoding,
    foreign,
    intervention,
    load_marks,
    plain,
    privileges,
    recorder,
    seccomp,
)
from tensorlings.worker.loader import LoadBudget, LoadResult, StatementTimeout, load, time_limit

# Packs given by path are imported under tensorlings_local_pack_<hash> (tensorlings.packs).
_BLOCKED_PREFIXES = ("tensorlings.", "tensorlings_local_pack_")
_MEMORY_WORDS = (
    "can't allocate memory",
    "not enough memory",
    "out of memory",
    "DefaultCPUAllocator",
)
_cpu_generator = torch.default_generator
_cuda_ready = torch.cuda.is_initialized
_seed_cuda = torch.cuda.manual_seed_all
_set_grad_enabled = torch._C._set_grad_enabled
_base = torch._C.TensorBase
_shape, _dtype = encoding.tensor_shape, encoding.tensor_dtype
_device = _base.__dict__["device"].__get__
_requires_grad = _base.__dict__["requires_grad"].__get__
_grad = _base.__dict__["grad"].__get__
_to, _mul, _sum = _base.to, torch.mul, torch.sum
_backward = torch.autograd.backward
_clone = torch.Tensor.clone
_getpid = os.getpid
_monotonic = time.monotonic  # bound before any learner code can patch the module
# The coach compares CPU time, which a busy machine does not inflate as it does wall time. The
# calling thread's clock: torch runs on this one thread here and new threads are refused, and
# Linux's process-wide clock advances for the running thread only at a tick (4 ms here).
_cpu_seconds = time.thread_time
_sleep = time.sleep


class CappedWriter(io.TextIOBase):
    """Keeps the first `limit` characters written and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n… {self.dropped} more characters of output were dropped"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


class _BlockSolutions:
    """An import hook that refuses tensorlings' own solutions, and every pack's modules, to
    learner code."""

    def __init__(self, packs: tuple[str, ...] = ()) -> None:
        self.packs = packs

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.startswith(_BLOCKED_PREFIXES) or any(
            name == pack or name.startswith(pack + ".") for pack in self.packs
        ):
            raise ImportError(f"importing {name} is not allowed while your work is checked")


def _manual_seed(seed: int) -> None:
    """Seed the generators a call can draw from: the CPU's, and CUDA's once a device run has
    started it. `torch.manual_seed` also queues a seed for every accelerator backend that is
    not initialised, each with a formatted stack trace: about 2 ms a call in a fresh process,
    most of a reference check's time."""
    _cpu_generator.manual_seed(seed)
    if _cuda_ready():
        _seed_cuda(seed)


def apply_limits(limits: dict[str, Any]) -> None:
    def cap(which: int, value: int) -> None:
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # the machine does not allow this limit; the others still hold

    data_now = _status_bytes("VmData:")
    cap(resource.RLIMIT_DATA, data_now + int(limits["memory_bytes"]))
    cap(resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    cap(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    cap(resource.RLIMIT_FSIZE, int(limits["file_bytes"]))
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NPROC, int(limits["processes"]))


def _error_record(error: BaseException, filename: str) -> ErrorInfo:
    frames = [
        (frame.lineno, str(frame.name)[:200])
        for frame in traceback.extract_tb(plain.traceback_of(error))
        if frame.filename == filename and isinstance(frame.lineno, int)
    ][-100:]
    message = _safe_text(error, 2000)
    kind = "error"
    if issubclass(type(error), MemoryError) or any(w in message for w in _MEMORY_WORDS):
        kind = "memory"
    elif type(error) is StatementTimeout:
        kind = "timeout"
    return ErrorInfo(kind, _type_name(error), message, tuple(frames))


# Names and messages read without calling the learner's code (its class's __name__ through a
# metaclass, its exception's __str__): nothing of it may run once its call has returned.
_type_name = plain.type_name
_safe_text = plain.exception_text


class ChildProcess:
    """The child's own side: one loaded file and what it runs (checker/sandbox.py's ChildHandle)."""

    def __init__(self, sock: socket.socket, output_limit: int) -> None:
        self.sock = sock
        self.pid = _getpid()
        self.output = CappedWriter(output_limit)
        self.loaded: LoadResult | None = None
        self.filename = ""
        self.recorder = recorder.CallRecorder("")
        self.audit = audit.Audit()  # replaced by the installed one before learner code runs
        self.blocker = _BlockSolutions()
        self.hidden_why: str | None = "not attempted"
        self.leaving: set[int] = set()  # exercise processes that said done, not reaped yet
        # What learner code returned or raised, kept alive: releasing it would run its __del__
        # (learner code) after the audit is disarmed. The process ends with os._exit, which
        # runs no finaliser.
        self.kept: list[Any] = []
        self.confined = False  # in the sandbox: each exercise's process reaches only itself
        self.decisive: dict[str, int] = {}  # intervention runs that decided each required call
        self.reruns = 0  # intervention runs made by this exercise's process
        self.rerun_seconds = 0.0  # their time, which no budget or timing counts

    def send(self, message: Any) -> None:
        if _getpid() != self.pid:  # a fork made by learner code must never answer
            os._exit(0)
        if self.sock is not None:
            protocol.send(self.sock, message)

    def serve(self) -> None:
        """The file's process: load once, then give each exercise a fresh process of its own.

        Each exercise's process is forked ahead of time, right after the previous one and all
        it started have ended, so the fork overlaps the checker's judging instead of adding to
        it, and no exercise's code ever runs beside the process that will run the next one."""
        spare: tuple[int, int, int, socket.socket] | None = None
        while True:
            try:
                request = protocol.recv(self.sock)
                op = op_of(request)
                if op is Op.LOAD and self.loaded is None:
                    load = LoadRequest.from_wire(request)
                elif op is Op.EXERCISE and spare is not None:
                    exercise = ExerciseRequest.from_wire(request)
                else:
                    return
            except (EOFError, OSError, protocol.ProtocolError):
                return
            if op is Op.LOAD:
                self.send(self.handle_load(load).to_wire())
                # Its memory is the start of every exercise's process: none may read or write
                # it (/proc/<pid>/mem and ptrace need a dumpable target from the same user).
                privileges.set_dumpable(False)
                _end_strays()
                # What the load made lives as long as this process: no exercise's collector
                # walks it again (each walk writes to every object's header, a page copied
                # per write in the exercise's process; ~0.06 s of CPU per check of the sheet).
                gc.freeze()
                spare = self.fork_exercise()
            elif spare is not None:
                status, forged = self.run_exercise(*spare)
                self.send(Ended(exercise.rid, status, forged).to_wire())
                spare = self.fork_exercise()

    def fork_exercise(self) -> tuple[int, int, int, socket.socket]:
        """A child of this process, waiting to run one exercise's requests: (pid, the pipe
        that starts it, the pipe on which it says it is done, the checker's end of its own
        channel). It talks to the checker on that channel alone: it closes its copy of the
        file's socket before any learner code runs, so nothing it writes can pass for the
        file's process, or for an exercise that comes after it.

        Whatever the exercise's code changes (patched modules, planted state, wrapped
        functions) dies with that process; the next exercise starts from the loaded file."""
        self.leaving = {pid for pid in self.leaving if not _reaped(pid)}
        start, go = os.pipe()
        said_done, done = os.pipe()
        checker_end, own_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(go)
                os.close(said_done)
                checker_end.close()
                if os.read(start, 1) == b"x":  # nothing (the file's process ended): leave
                    os.close(start)
                    self.sock.close()
                    self.sock = own_end
                    self.pid = _getpid()
                    os.setpgid(0, 0)  # a group of its own, ended with everything it started
                    _keep_to_itself(self.pid, self.confined)
                    self.serve_exercise()
                    os.write(done, b"d")  # done with the socket; exiting takes a while
            finally:
                os._exit(0)
        os.close(start)
        os.close(done)
        own_end.close()
        return pid, go, said_done, checker_end

    def run_exercise(
        self, pid: int, go: int, said_done: int, channel: socket.socket
    ) -> tuple[int | None, bool]:
        """Let the waiting process run the exercise, its channel handed to the checker; return
        how it ended (None: it said it was done and is leaving), and whether something else
        than "done" came on its pipe (learner code writing on every descriptor it holds)."""
        try:
            os.write(go, b"x")
        except OSError:
            pass
        try:
            socket.send_fds(self.sock, [b"E"], [channel.fileno()])
        finally:
            channel.close()
        said = b""
        try:
            said = os.read(said_done, 1)  # "done", or nothing once it has ended
        except OSError:
            pass
        os.close(go)
        os.close(said_done)
        try:
            # It is not reaped yet, so its pid (and group id) cannot be reused: ending the
            # group is safe. What the exercise's code started must not live on.
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        _end_strays()
        if said == b"d":  # it is leaving on its own: reap it later, its status is not needed
            if not _reaped(pid):
                self.leaving.add(pid)
            return None, False
        # It ended without saying so (os._exit, a crash): the pipe closes as it exits, a
        # moment before it can be reaped, and how it ended is part of the verdict.
        return _exit_status(pid), said != b""

    def serve_exercise(self) -> None:
        while True:
            try:
                request = protocol.recv(self.sock)
                if op_of(request) is not Op.RUN:
                    return  # "done": the exercise is over
                run = RunRequest.from_wire(request)
            except (EOFError, OSError, protocol.ProtocolError):
                return
            self.handle_run(run)

    def handle_load(self, request: LoadRequest) -> LoadReply:
        self.filename = request.filename
        self.recorder.learner_file = self.audit.learner_file = self.filename
        units = request.units_as_data()
        self.recorder.assert_spans = recorder.assert_spans(units)
        previous = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.output
        try:
            result = load(
                units,
                self.filename,
                set(request.skip_lines),
                LoadBudget(
                    request.statement_seconds, request.budget_seconds, request.definitions_from
                ),
                lambda line, again: self.send(Statement(line, again).to_wire()),
                self.loading,
            )
        finally:
            sys.stdout, sys.stderr = previous
        self.loaded = result
        functions = {}
        for name in request.names:
            value = result.judged.get(name, result.notebook.get(name))
            if value is not None:
                functions[name] = "function" if callable(value) else _type_name(value)
        bound = {name: self.function(name) for name in functions}
        self.recorder.exercise_codes = recorder.exercise_codes(bound, self.filename)
        constants = {}
        for name, value in bound.items():
            found, constant = constant_return.returned_constant(value)
            encoded = _encoded_output(constant, DEFAULT_MAX_BYTES) if found else None
            if encoded is not None and literal_encoding(encoded):
                constants[name] = encoded
        return LoadReply(
            notes=tuple(Note(n["line"], n["kind"], n["message"]) for n in result.notes),
            functions=functions,
            tensor_globals=result.tensor_globals,
            test_cases=_sheet_test_cases(result.notebook.get("test_cases")),
            reference_files_hidden=self.hidden_why is None,
            reference_files_why=self.hidden_why,
            output=self.output.take(),
            definitions_from=result.definitions_from,
            tampering=tuple(self.audit.take()),
            constants=constants,
        )

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        """Each top-level statement runs under the audit, and with the results of forbidden
        calls marked (a constant built with t.eye counts where it reaches a result)."""
        with self.audit.loading(), load_marks.loading(self.recorder):
            yield

    def function(self, name: str) -> Any:
        assert self.loaded is not None
        return self.loaded.judged.get(name, self.loaded.notebook.get(name))

    def handle_run(self, request: RunRequest) -> None:
        """Answer every call, one frame each, in order."""
        fn = self.function(request.name)
        self.recorder.judged_code = recorder.own_code(fn, self.filename)
        stop: str | None = None  # why the remaining calls are not run
        budget = request.budget
        started = time.perf_counter()
        for index, call in enumerate(request.calls):
            if stop is None and time.perf_counter() - started - self.rerun_seconds > budget:
                # Slow but finishing calls add up: stop at the exercise's budget.
                stop = f"the checks of this exercise took more than {budget:g} s in all"
            if stop is not None:
                result = CallResult("timeout", error=ErrorInfo("timeout", "", stop))
            else:
                result = self.run_call(fn, call, request.record, request.seconds, request.required)
                if result.status == "timeout":
                    stop = "not run: an earlier call ran out of time"
            self.send(ResultFrame(index, request.rid, result).to_wire())

    def run_call(
        self,
        fn: Any,
        call: Call,
        record: bool,
        seconds: float,
        required: tuple[tuple[str, ...], ...] = (),
    ) -> CallResult:
        args = [_to_device(encoding.decode(a, recipes=True), call.device) for a in call.args]
        grad_args = [i for i in call.grad_args if isinstance(args[i], torch.Tensor)]
        for i in grad_args:
            args[i].requires_grad_(True)
        profile = call.profile
        before = {} if profile else _snapshot(args)
        rss_before = _reset_peak_memory() if profile else 0
        _manual_seed(call.seed)
        _set_grad_enabled(True)  # a file may switch gradients off at the top (ARENA habit)
        previous = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.output
        self.recorder.take()
        rerun_before = self.rerun_seconds
        required = required if record else ()
        self.recorder.start(required)
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        status, failure = "ok", None
        intact = True
        try:
            with time_limit(seconds):
                self.recorder.active = record
                if record:
                    mode = recorder.recording(self.recorder)
                    with mode:
                        try:
                            with self.audit.running():
                                out = fn(*args)
                        finally:
                            intact = mode.intact()
                else:
                    with self.audit.running():
                        out = fn(*args)
        except BaseException as error:  # learner code may raise anything at all
            self.kept.append(error)
            out = None
            failure = _error_record(error, self.filename)
            status = failure.kind if failure.kind in ("timeout", "memory") else "error"
        finally:
            self.recorder.active = False
            sys.stdout, sys.stderr = previous
        tampering = self.audit.take() + self.recorder.take_refused()
        # From here on only exact types are read: the value is never asked anything itself.
        self.kept.append(out)
        out, hides = plain.plain(out)
        if hides:
            tampering.append(recorder.HIDING_HANDLER)
        if not intact:
            tampering.append("took the recorder off torch's function-mode stack")
        if status == "ok":
            self.recorder.settle(out)
        if required and status == "ok":
            self.recorder.calls.update(_contributions(self.recorder, required, out))
            took = time.perf_counter() - started
            self.recorder.calls.update(self.intervene(fn, call, seconds, required, out, took))
        if _getpid() != self.pid:
            os._exit(0)
        spent = time.perf_counter() - started - self.rerun_seconds + rerun_before
        if profile:
            cpu = _cpu_seconds() - cpu_started
            peak = max(0, _status_bytes("VmHWM:") - rss_before)
            self.output.take()  # what a timing run printed belongs to no report
            return CallResult(
                status,
                spent,
                cpu_seconds=cpu,
                peak_extra_bytes=peak,
                error=failure,
                tampering=tuple(tampering),
            )
        calls, printed = self.recorder.take(), self.output.take()
        if status != "ok":
            return CallResult(
                status, spent, calls, printed, error=failure, tampering=tuple(tampering)
            )
        output = _encoded_output(out, call.max_bytes)
        mutated = _mutated(before, args)
        after = {str(i): encoding.encode(args[i], max_bytes=1 << 20) for i in mutated}
        grad: tuple[str | None, dict[str, Any], str] = (None, {}, "")
        if call.grad_seed is not None and grad_args:
            seed = encoding.decode(call.grad_seed)
            with self.audit.running():  # a custom autograd Function's backward is learner code
                grad = _gradients(out, args, grad_args, seed)
        return CallResult(
            status,
            spent,
            calls,
            printed,
            output=output,
            mutated=tuple(mutated),
            after=after,
            grad=grad[0],
            grads=grad[1],
            grad_error=grad[2],
            tampering=tuple(tampering),
        )

    def intervene(
        self, fn: Any, call: Call, seconds: float, required: Any, out: Any, took: float
    ) -> dict[str, int]:
        """Run the call again with each required call's results changed (intervention.py):
        only for required calls it made, only for a call quick next to its limit."""
        if took > seconds * intervention.SHARE_OF_LIMIT or self.reruns >= intervention.MAX_RERUNS:
            return {}
        kept = self.recorder.take()
        made = tuple(names for names in required if any(kept.get(name) for name in names))
        began = time.perf_counter()
        limit = min(seconds, intervention.rerun_seconds(took))
        decided = intervention.decide(
            lambda perturb: self.rerun(fn, call, limit, perturb), made, out, self.decisive
        )
        self.rerun_seconds += time.perf_counter() - began
        self.recorder.calls = kept
        return decided

    def rerun(self, fn: Any, call: Call, seconds: float, perturb: Any) -> Any:
        args = [_to_device(encoding.decode(a, recipes=True), call.device) for a in call.args]
        _manual_seed(call.seed)
        previous = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = CappedWriter(0)  # printed again: not part of the report
        self.reruns += 1
        self.recorder.perturb, self.recorder.perturbed = perturb, 0
        self.recorder.active = True
        try:
            with time_limit(seconds), recorder.recording(self.recorder), self.audit.running():
                out = fn(*args)
        except BaseException as error:  # learner code may raise anything at all
            self.kept.append(error)  # kept alive: its finaliser must never run unwatched
            out = intervention.RAISED
        finally:
            self.recorder.active, self.recorder.perturb = False, ()
            sys.stdout, sys.stderr = previous
        self.kept.append(out)  # as for every answer: released only when the process ends
        return out, self.recorder.perturbed


def _exit_status(pid: int, seconds: float = 2.0) -> int | None:
    """How a process that is exiting (it was sent SIGKILL too) ended; None if unknown."""
    deadline = _monotonic() + seconds
    while True:
        try:
            ended, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if ended:
            return status
        if _monotonic() > deadline:
            return None
        _sleep(0.001)


def _end_strays() -> None:
    """In the sandbox's own PID namespace (the zygote, outside it, shows as parent 0), every
    process but pid 1 and this one was started by learner code: one that left its group
    (setsid) must not live on to serve the next exercise its forbidden calls.

    kill(-1) reaches every process of the namespace that this one may signal, whether or not
    /proc shows it (it is mounted with hidepid=2, and a process that is not dumpable is hidden
    from its neighbours). Outside a namespace of its own it would reach the whole machine."""
    if os.getppid() != 0:
        return  # no namespace of its own: the zygote ends the strays it inherits
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass  # nothing left to end


def _reaped(pid: int) -> bool:
    """Collect an exercise process that has finished leaving (never blocks)."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _contributions(
    calls: recorder.CallRecorder, required: tuple[tuple[str, ...], ...], out: Any
) -> dict[str, int]:
    """`used:<name>` for each required call whose result reached the returned value. A value
    that is not a tensor cannot carry the mark: then no call is held against the code."""
    reached = range(len(required))
    if type(out) is torch.Tensor or (type(out) in (list, tuple) and out):
        reached = calls.contributed(out)  # type: ignore[assignment]
    return {f"used:{required[i][0]}": 1 for i in reached}


def _snapshot(args: list[Any]) -> dict[int, torch.Tensor]:
    return {i: _clone(a).detach() for i, a in enumerate(args) if isinstance(a, torch.Tensor)}


def _status_bytes(field: str) -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


_clear_refs: list[int] = []  # /proc/self/clear_refs, opened while the process was dumpable


def reset_peak_memory() -> int:
    """Reset the peak-RSS mark (Linux) and return the current RSS, to measure a call's peak."""
    try:
        if _clear_refs:
            os.write(_clear_refs[0], b"5")
        else:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
    except OSError:
        pass
    return _status_bytes("VmRSS:")


def _keep_to_itself(pid: int, confined: bool) -> None:
    """An exercise's process, before any of its code runs: not dumpable (no process of the same
    user may read or write its memory, ptrace it, or open its /proc files), and, in the sandbox,
    every call that names a process may name only itself (no signal, limit or priority reaches
    the file's process or the one forked ahead for the next exercise).

    /proc/self/clear_refs (the coach's peak-memory reset) belongs to root once the process is
    not dumpable, so it is opened first, in the moment the process is dumpable: nothing else of
    the learner's runs then (the previous exercise's process was killed before this one began).
    """
    privileges.set_dumpable(True)
    try:
        _clear_refs.append(os.open("/proc/self/clear_refs", os.O_WRONLY | os.O_CLOEXEC))
    except OSError:
        pass
    privileges.set_dumpable(False)
    if confined:
        seccomp.install(code=seccomp.own_process_program(pid))


_reset_peak_memory = reset_peak_memory


def _to_device(value: Any, device: str) -> Any:
    if isinstance(value, torch.Tensor) and device != "cpu":
        return value.to(device)
    return value


def _mutated(before: dict[int, torch.Tensor], args: list[Any]) -> list[int]:
    return [i for i, old in before.items() if not encoding.same_tensor(args[i], old)]


def _encoded_output(out: Any, max_bytes: int) -> Any:
    try:
        return encoding.encode(out, max_bytes=max_bytes)
    except Exception as error:  # a value that cannot be taken apart (sparse, odd subclass)
        return {"t": "other", "type": f"unsendable {_type_name(out)}: {_safe_text(error, 100)}"}


def _gradients(
    out: Any, args: list[Any], grad_args: list[int], seed: Any
) -> tuple[str, dict[str, Any], str]:
    """(state, the inputs' gradients, the error): `out` is a plain tensor (plain.py) or not a
    tensor, read through torch's C base class, whose methods learner code cannot have
    replaced."""
    if not plain.is_tensor_type(type(out)) or type(seed) is not torch.Tensor:
        return "skipped", {}, ""
    if _shape(out) != _shape(seed) or not _dtype(out).is_floating_point:
        return "skipped", {}, ""
    if not _requires_grad(out):
        return "none", {}, ""
    try:
        with torch._C.DisableTorchFunction():
            _backward(_sum(_mul(out, _to(seed, _device(out), _dtype(out)))))
    except BaseException as error:  # a broken graph is the learner's problem to hear about
        return "error", {}, f"{_type_name(error)}: {_safe_text(error, 300)}"
    return "ok", {str(i): encoding.encode(_grad(args[i])) for i in grad_args}, ""


def _sheet_test_cases(
    value: Any,
) -> tuple[tuple[tuple[int, ...], tuple[int, ...]] | None, ...] | None:
    """The sheet's own as_strided answers (`test_cases` with size and stride), as plain data.

    Read without calling anything of the learner's: an exact list or tuple of namedtuples
    whose class lists `size` and `stride` among its `_fields`, each item taken with tuple's
    own indexing; a namedtuple's properties, a list subclass's iteration are never used."""
    if not (type(value) is list or type(value) is tuple) or len(value) > 20:
        return None
    cases: list[tuple[tuple[int, ...], tuple[int, ...]] | None] = []
    for item in value:
        size, stride = _field(item, "size"), _field(item, "stride")
        if _int_tuple(size) and _int_tuple(stride):
            cases.append((tuple(size), tuple(stride)))
        else:
            cases.append(None)
    return tuple(cases)


def _field(item: Any, name: str) -> Any:
    """A namedtuple's field by its position in the class's `_fields` (None if not one)."""
    fields = plain.class_attribute(type(item), "_fields")
    if not plain.is_tuple_type(type(item)) or type(fields) is not tuple:
        return None
    for position, field in enumerate(fields):
        if type(field) is str and field == name and position < tuple.__len__(item):
            return tuple.__getitem__(item, position)
    return None


def _int_tuple(value: Any) -> bool:
    return (
        (type(value) is tuple or type(value) is list)
        and len(value) <= 8
        and all(type(v) is int and 0 <= v < 2**31 for v in value)
    )


def profile_reference(request: ProfileRequest) -> Profiled:
    """Time the reference solution on the given input: run in a trusted child that never loads
    learner code, so the learner's function and the reference are measured alike."""
    from tensorlings import packs

    solution = packs.load(request.pack).get(request.exercise).solution
    seconds, cpu, peaks = [], [], []
    for _ in range(request.repeats):
        args = [encoding.decode(a, recipes=True) for a in request.args]
        _manual_seed(request.seed)
        before = reset_peak_memory()
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        solution(*args)
        seconds.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
        peaks.append(max(0, _status_bytes("VmHWM:") - before))
    return Profiled(tuple(seconds), tuple(cpu), tuple(peaks))


def serve_trusted(sock: socket.socket) -> None:
    while True:
        try:
            request = protocol.recv(sock)
            if op_of(request) is not Op.PROFILE:
                return
            profile = ProfileRequest.from_wire(request)
        except (EOFError, OSError, protocol.ProtocolError):
            return
        protocol.send(sock, profile_reference(profile).to_wire())


_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_REC, _MS_PRIVATE = 1, 0x4000, 1 << 18


def hide_reference_files(packs: tuple[str, ...] = ()) -> str | None:
    """Cover the reference solutions' folder, and every pack's files in `packs`, with empty
    read-only mounts in a mount namespace of this child alone, so learner code cannot read them
    from disk. None when hidden, else why not (the system refused a mount namespace)."""
    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "exercises")
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
        if libc.unshare(_CLONE_NEWNS) != 0:
            return f"no mount namespace: {os.strerror(ctypes.get_errno())}"
        if libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
            return f"cannot make mounts private: {os.strerror(ctypes.get_errno())}"
        if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", _MS_RDONLY, b"size=4k") != 0:
            return f"cannot cover {folder}: {os.strerror(ctypes.get_errno())}"
        from tensorlings.worker import mounts

        mounts.cover(tuple(p for p in packs if p != folder))
    except (OSError, AttributeError) as error:
        return f"no mount namespace: {error}"
    return None


def _stand_in() -> Any:
    import types

    module = types.ModuleType(
        "tensorlings", "Stand-in for tensorlings while a workbook is checked."
    )
    module.check = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    module.__path__ = []  # a package, so that importing its submodules reaches the blocker
    return module


def _no_debugger(*args: Any, **kwargs: Any) -> None:
    """sys.breakpointhook in every child: a breakpoint() starts no debugger (which would
    install a trace hook) and waits for no terminal."""


def main(sock: socket.socket, request: dict[str, Any]) -> None:
    """Entry point in the freshly forked child."""
    os.chdir(request["workdir"])
    os.environ.clear()
    # PYTHONBREAKPOINT=0: a breakpoint() left in a function does nothing, as in a script run
    # without a terminal, rather than start a debugger (which would install a trace hook).
    os.environ.update(
        {
            "HOME": request["workdir"],
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONBREAKPOINT": "0",
        }
    )
    # The variable alone reaches only an interpreter that reads its environment, which a
    # zygote started with -I does not: a breakpoint() left in a function does nothing either way.
    sys.breakpointhook = _no_debugger
    apply_limits(request["limits"])
    torch.set_num_threads(1)
    if request.get("trusted"):
        serve_trusted(sock)
        return
    child = ChildProcess(sock, int(request["limits"]["output_chars"]))
    # In the sandbox's read-only root the package is not there at all (its own mount layer).
    packs = request.get("hide", ())
    child.hidden_why = None if request.get("jailed") else hide_reference_files(tuple(packs))
    child.blocker.packs = tuple(str(m) for m in request.get("block", ()))
    child.confined = request.get("confined") is True
    child.audit = audit.install("")  # before any learner code; permanent once added
    sys.meta_path.insert(0, child.blocker)
    # Learner code sees a stand-in for tensorlings: `tensorlings.check(fn)` in a workbook does
    # nothing here, and nothing of the real package (its solutions above all) is reachable.
    for name in [m for m in sys.modules if m == "tensorlings" or m.startswith("tensorlings.")]:
        del sys.modules[name]
    sys.modules["tensorlings"] = _stand_in()
    recorder.wrap_einops(child.recorder)
    foreign.wrap_numpy(child.recorder)  # numpy and torch.distributions, which the mode misses
    foreign.wrap_distributions(child.recorder)
    foreign.wrap_nn_init(child.recorder)  # dirac_ and eye_ fill through item writes
    child.serve()
