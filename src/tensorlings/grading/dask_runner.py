"""Send the same checks to a dask.distributed scheduler, for classes too big for one machine.

The workbook's bytes travel with the task (workers need not share a file system). Each Dask
worker thread keeps its own zygote, so a check runs exactly as on one machine: learner code in
a limited child process, never in the Dask worker, which a memory bomb therefore cannot take
down. Results come back to this process, which writes them as they complete.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tensorlings.grading.checking import CheckSettings, ZygoteHolder, check_one, crashed
from tensorlings.grading.errors import GradingError
from tensorlings.grading.runner import Job, OnResult
from tensorlings.grading.snapshots import path_forms, replaced_paths

INSTALL_HINT = "pip install 'tensorlings[dask]'"
_local = threading.local()


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise GradingError(
            f"--dask needs dask.distributed, which is not installed; run: {INSTALL_HINT}"
        ) from None
    return distributed


def check_bytes(
    filename: str, content: bytes, settings: CheckSettings, shown_as: str | None = None
) -> dict[str, Any]:
    """The Dask task: check a workbook sent as bytes, with this worker thread's zygote.

    It is checked from a temporary copy; every mention of that copy's path in the report
    is replaced by `shown_as` (the path the instructor gave), so that no message shows an
    internal temporary path."""
    holder = getattr(_local, "holder", None)
    if holder is None:
        holder = _local.holder = ZygoteHolder()
    with tempfile.TemporaryDirectory(prefix="tensorlings-grade-") as folder:
        workbook = Path(folder) / Path(filename).name
        workbook.write_bytes(content)
        data = check_one(holder, workbook, settings)
        shown = {form: shown_as or Path(filename).name for form in path_forms(workbook)}
        shown.update(dict.fromkeys(path_forms(Path(folder)), "<checked copy>"))
        return dict(replaced_paths(data, shown))


LOCAL = "local"  # --dask local: a cluster on this machine, started and stopped by the run


def connect(address: str, timeout_s: float = 10.0) -> Any:
    """A client of the scheduler at `address`, or a GradingError that says what to check."""
    distributed = _distributed()
    try:
        return distributed.Client(address, timeout=timeout_s)
    except (OSError, TimeoutError, ValueError) as error:
        raise GradingError(
            f"could not reach the Dask scheduler at {address!r} ({error}); is it running? "
            "Start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
            "or give --dask local for a cluster on this machine"
        ) from None


@contextlib.contextmanager
def session(address: str) -> Iterator[Any]:
    """A client for the run: of the scheduler at `address`, or of a new local cluster."""
    if address != LOCAL:
        with connect(address) as client:
            yield client
        return
    distributed = _distributed()
    # One thread per worker process: each thread keeps a zygote, as a pool process does.
    with (
        distributed.LocalCluster(threads_per_worker=1, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def run_dask(
    jobs: Sequence[Job], *, address: str, settings: CheckSettings, on_result: OnResult
) -> None:
    """Check every job on the cluster; `on_result` gets each report JSON as it completes."""
    distributed = _distributed()
    with session(address) as client:
        futures = {
            client.submit(
                check_bytes,
                job.workbook.name,
                job.workbook.read_bytes(),
                settings,
                str(job.workbook),
                key=f"tensorlings-grade-{job.name}-{job.sha256[:16]}",
                pure=False,
                retries=0,
            ): job
            for job in jobs
        }
        for future in distributed.as_completed(futures):
            job = futures[future]
            on_result(job, _outcome(future, job, settings))


def _outcome(future: Any, job: Job, settings: CheckSettings) -> dict[str, Any]:
    try:
        data = future.result()
    except GradingError:
        raise  # no zygote could start on that worker: nothing there can be checked
    except Exception as error:  # a Dask worker lost while running it (KilledWorker, …)
        message = (
            f"the Dask worker checking this workbook was lost ({type(error).__name__}: {error}); "
            "run `tensorlings check` on it to see why"
        )
        return crashed(job.workbook, message, settings)
    data["file"] = str(job.workbook)  # it was checked from a temporary copy
    return dict(data)
