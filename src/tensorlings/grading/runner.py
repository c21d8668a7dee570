"""Check many workbooks in parallel on this machine, and hand each result back as it completes.

A pool of `jobs` processes (forked from one server that imported the checker once), each
holding one zygote for all the workbooks it checks. At most `jobs` workbooks are in flight,
so when a pool process dies only those few are affected: they are checked again one at a time
on a fresh pool, and a workbook that kills its process even alone gets a "crashed" result.
Results go to `on_result` in this process, which alone writes them.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

from tensorlings.grading.checking import CheckSettings, ZygoteHolder, check_one, crashed
from tensorlings.grading.errors import WorkerUnavailable

_PR_SET_PDEATHSIG = 1
_HOLDER = ZygoteHolder()  # this pool process's zygote, reused for every workbook it checks


@dataclass(frozen=True)
class Job:
    """A workbook to check, under its submission's name."""

    name: str
    workbook: Path
    sha256: str


OnResult = Callable[[Job, dict[str, Any]], None]
Task = Callable[[str, CheckSettings], dict[str, Any]]


def check_in_pool(workbook: str, settings: CheckSettings) -> dict[str, Any]:
    """The pool's task: check one workbook with this process's zygote."""
    return check_one(_HOLDER, Path(workbook), settings)


def _start_pool_process(parent: int) -> None:
    # Ctrl-C is the grader's to handle: it stops the pool itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # If the grader is killed (kill -9), its pool processes must not live on.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The pool process is forked by the forkserver (its parent), which ends when the grader
    # does; a grader already gone before the death signal was set means nobody wants us.
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        os._exit(1)
    if os.getppid() == 1:
        os._exit(1)
    _let_go_of_the_grader_pipe()
    _run_as_batch_work()
    # Start the zygote and import the checker now, while the grader is still planning, not
    # when the first workbook arrives; the zygote first, forked from this process while it
    # holds only what the server imported (pool_server.py).
    from tensorlings.grading import pool_server

    with contextlib.suppress(WorkerUnavailable):  # the first task reports it, as a result
        _HOLDER.start(fork=pool_server.may_fork_zygote())
    import tensorlings.checker.check  # noqa: F401


def _run_as_batch_work() -> None:
    """This pool process, and everything it starts (its zygote, each file's and each exercise's
    process), runs under Linux's SCHED_BATCH policy, made for CPU-bound work that no one waits
    on interactively: a process woken by a reply does not preempt the one running, so the
    ping-pong between a check and its learner processes makes fewer switches. On the bench's
    class at --jobs 2 a run took 4-5% less time (13.1 s against 13.7 s, three runs each,
    bench/README.md), its CPU time a little less. A woken process waits at most for the running
    one's time slice (milliseconds), against limits of seconds: no verdict depends on it. The
    grader itself, which hands out the work and writes the results, keeps the normal policy.
    Where the policy does not exist (not Linux), nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


def _let_go_of_the_grader_pipe() -> None:
    """The forkserver hands each process it forks the grader's end of its "alive" pipe and
    lives on while any process holds it: closed here, the server ends with the grader, and
    this process with the server (the death signal), so a killed grader leaves nothing."""
    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def run_local(
    jobs: Sequence[Job],
    *,
    workers: int,
    settings: CheckSettings,
    on_result: OnResult,
    task: Task = check_in_pool,
) -> None:
    """Check every job; `on_result` gets each one's report JSON as soon as it is known."""
    queue = deque(jobs)
    suspects: deque[Job] = deque()  # in flight when a pool process died: rerun alone
    runner = _Round(workers, settings, on_result, task)
    while queue or suspects:
        with _pool(min(workers, len(queue) + len(suspects))) as pool:
            runner.run(pool, queue, suspects)


@dataclass
class _Round:
    """Runs jobs on one pool until they are done or the pool breaks."""

    workers: int
    settings: CheckSettings
    on_result: OnResult
    task: Task

    def run(self, pool: ProcessPoolExecutor, queue: deque[Job], suspects: deque[Job]) -> None:
        in_flight: dict[Future[dict[str, Any]], tuple[Job, bool]] = {}
        broken = False
        while True:
            if not broken:
                broken = self._fill(pool, in_flight, queue, suspects)
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            finished = [(future, *in_flight.pop(future)) for future in done]
            if not broken and not any(future.exception() for future, _, _ in finished):
                # The free pool processes get their next workbook before this process saves
                # the results (validation, signature, fsync): they never wait on the disk.
                broken = self._fill(pool, in_flight, queue, suspects)
            for future, job, alone in finished:
                broken = self._settle(future, job, alone, suspects) or broken

    def _fill(
        self,
        pool: ProcessPoolExecutor,
        in_flight: dict[Future[dict[str, Any]], tuple[Job, bool]],
        queue: deque[Job],
        suspects: deque[Job],
    ) -> bool:
        """Submit what may run now; True when the pool turned out to be broken."""
        while True:
            if suspects:
                if in_flight:
                    return False
                source, alone = suspects, True
            elif queue and len(in_flight) < self.workers:
                source, alone = queue, self.workers == 1
            else:
                return False
            job = source.popleft()
            try:
                future = pool.submit(self.task, str(job.workbook), self.settings)
            except BrokenProcessPool:
                source.appendleft(job)
                return True
            in_flight[future] = (job, alone)

    def _settle(
        self, future: Future[dict[str, Any]], job: Job, alone: bool, suspects: deque[Job]
    ) -> bool:
        """Hand the job's result on; True when its pool process died."""
        try:
            data = future.result()
        except BrokenProcessPool:
            if not alone:
                suspects.append(job)
                return True
            data = crashed(job.workbook, _DIED, self.settings)
            self.on_result(job, data)
            return True
        except (OSError, ValueError, RuntimeError) as error:
            message = f"grading this workbook failed: {type(error).__name__}: {error}"
            data = crashed(job.workbook, message, self.settings)
        self.on_result(job, data)
        return False


_DIED = (
    "the grading process died while checking this workbook, also when it was checked alone: "
    "the workbook may use more memory than the machine has, or end its own process; "
    "run `tensorlings check` on it to see where"
)


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=_context(),
        initializer=_start_pool_process,
        initargs=(os.getpid(),),
    )
    try:
        _ping(pool)
        yield pool
    except BaseException:  # Ctrl-C or a worker that cannot start: stop now, not after the jobs
        _kill(pool)
        raise
    processes = _processes(pool)
    # Not shutdown(wait=True) first: after a pool process died, the executor's own thread
    # SIGTERMs the others and joins them with no time limit, and one that did not end (seen
    # once in a loaded suite run: a 600 s hang) would hold the grader forever. Our bounded
    # join-then-kill ends them all; only then is the executor's thread waited for.
    pool.shutdown(wait=False, cancel_futures=True)
    _end(processes)
    pool.shutdown(wait=True)


def start_server() -> None:
    """Start the pool's server now: its torch import (~1.5 s on one core) then runs while the
    grader plans the run and probes the sandbox, not after."""
    _context()
    forkserver.ensure_running()


def _context() -> Any:
    """Pool processes forked from a server that imported torch (no op run beyond a zygote's
    warm-up: safe to fork) once, instead of each spawned process importing it again: one
    import of torch for the whole run, not one per pool process (nor per broken pool), and
    none for their zygotes (pool_server.py). The grader itself still never imports torch."""
    context = multiprocessing.get_context("forkserver")
    # The console script, each pool process's main module, imports tensorlings.cli: imported
    # here first, it is nothing more for pool_server.py, imported last, to hold against forking.
    context.set_forkserver_preload(
        ["tensorlings.cli", "tensorlings.grading.runner", "tensorlings.grading.pool_server"]
    )
    return context


def _processes(pool: ProcessPoolExecutor) -> list[Any]:
    return list((getattr(pool, "_processes", None) or {}).values())


def _end(processes: list[Any], seconds: float = 10.0) -> None:
    """Make sure every pool process has exited. A pool whose process died can leave an idle
    sibling waiting on the task queue forever, and the interpreter joins it at exit: a grader
    (or a test session) that never ends."""
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            process.join(seconds)
            if process.is_alive():
                process.kill()
                process.join(5)


def _ping(pool: ProcessPoolExecutor) -> None:
    """Make sure pool processes can start at all, so that a broken set-up is not taken for
    workbooks that crash (and saved as their results)."""
    try:
        pool.submit(os.getpid).result()
    except BrokenProcessPool:
        raise WorkerUnavailable(
            "the grading processes die as they start, before checking anything; a script that "
            "calls grade() must guard its own code with `if __name__ == '__main__':`, and "
            "`python -c 'import tensorlings.checker.check'` must work"
        ) from None


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = _processes(pool)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    _end(processes, seconds=2.0)
