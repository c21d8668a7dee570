"""Check one workbook inside a grading worker, exactly as `tensorlings check` does.

Runs in a pool process (or a Dask worker), never in the process that writes the results. Each
worker keeps one zygote and reuses it for every workbook it checks; learner code still runs
only in the zygote's limited children, so a memory bomb or an `os._exit` ends a child, not the
worker. A zygote lost in the middle of a check is replaced and the workbook checked once more,
so that a zygote that died earlier is never blamed on the next submission.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tensorlings.checker.sandbox import Limits, ZygoteHandle
from tensorlings.errors import WorkerError
from tensorlings.grading.errors import WorkerUnavailable
from tensorlings.grading.model import error_report
from tensorlings.vocab import Status


@dataclass(frozen=True)
class CheckSettings:
    """How every workbook of a run is checked: as `tensorlings check` with these options."""

    seed: int = 0
    device: str = "cpu"
    limits: Limits = field(default_factory=Limits)
    # The pack (a name or a path) as given by --pack; None: each workbook's own header, else the
    # sheet. Kept as text: settings travel to pool and Dask workers, which load it themselves.
    pack: str | None = None
    # The pack's name and version as loaded here, so a new version of a pack is checked anew.
    pack_key: str = ""
    # The coach's "× slower" advice: its measure depends on the machine, so a grade leaves it
    # out unless asked (the config's `timing_advice`, or --timing-advice).
    timing_advice: bool = False

    def key(self) -> str:
        """Everything here that can change a result, as text for the content hash."""
        limits = ", ".join(f"{k}={v}" for k, v in sorted(asdict(self.limits).items()))
        pack = f"; pack: {self.pack_key}" if self.pack_key else ""
        timing = "; timing advice" if self.timing_advice else ""
        return f"seed={self.seed}; device={self.device}; limits: {limits}{pack}{timing}"


class ZygoteHolder:
    """One zygote, started on first use and started again after it is lost."""

    def __init__(self) -> None:
        self._zygote: ZygoteHandle | None = None

    def start(self, fork: bool = False) -> None:
        """Start the zygote without waiting for it (it imports torch meanwhile, unless `fork`:
        see ZygoteHandle's `fork_first`)."""
        if self._zygote is None:
            try:
                # spare: one submission after another
                self._zygote = ZygoteHandle(spare=True, fork_first=fork)
            except WorkerError as error:
                raise WorkerUnavailable(f"could not start the isolated worker: {error}") from None

    def get(self) -> ZygoteHandle:
        self.start()
        assert self._zygote is not None
        try:
            self._zygote.ready()
        except WorkerError as error:
            self.reset()
            raise WorkerUnavailable(f"could not start the isolated worker: {error}") from None
        return self._zygote

    def reset(self) -> None:
        if self._zygote is not None:
            zygote, self._zygote = self._zygote, None
            zygote.close()


def check_one(holder: ZygoteHolder, workbook: Path, settings: CheckSettings) -> dict[str, Any]:
    """The check report of one workbook, as JSON data; never raises for the workbook's content.

    Raises WorkerUnavailable when no zygote can be started at all (nothing could be checked).
    """
    holder.start()  # let the zygote import torch while this process imports the checker
    from tensorlings.checker.check import check_path
    from tensorlings.errors import TensorlingsError
    from tensorlings.packs.header import ForeignPack, choose

    try:
        pack = choose(settings.pack, workbook).catalogue
    except ForeignPack as error:  # the file it names is never imported; the flag says why
        report = error_report(
            str(workbook), "unreadable", str(error), seed=settings.seed, device=settings.device
        )
        return dict(report.to_json())
    except TensorlingsError as error:
        return crashed(workbook, f"cannot tell which pack to check it against: {error}", settings)
    lost: WorkerError | None = None
    for _ in range(2):
        zygote = holder.get()
        try:
            report = check_path(
                workbook,
                seed=settings.seed,
                device=settings.device,
                limits=settings.limits,
                zygote=zygote,
                catalogue=pack,
                timing_advice=settings.timing_advice,
            )
            return plain_json({**report.to_json(), HINTS_KEY: hints_to_try(pack, report)})
        except WorkerError as error:
            holder.reset()
            lost = error
        except Exception as error:  # a checker bug must not lose the submission
            holder.reset()
            message = (
                f"the checker itself failed on this workbook ({type(error).__name__}: {error}); "
                "this is a bug in tensorlings, please report it with the workbook"
            )
            return crashed(workbook, message, settings)
    message = (
        f"the isolated worker was lost twice while checking this workbook ({lost}); "
        f"run `tensorlings check {workbook}` to see which statement ends it"
    )
    return crashed(workbook, message, settings)


def plain_json(data: dict[str, Any]) -> dict[str, Any]:
    """The report as plain JSON types only. A report carries a few str subclasses of the
    checker's (`torch.__version__` is torch's TorchVersion): pickled to the grader as they are,
    unpickling them there would import torch in the grading process, which never needs it
    (~1.5 s of CPU taken from the checks on a 2-core machine, and ~300 MB more memory)."""
    result = json.loads(json.dumps(data))
    assert isinstance(result, dict)
    return result


# The pack's first hints for each failed exercise travel beside the report (never inside it:
# the check schema stays as it is), so that the grader, which never loads a pack (nor torch),
# can write each student's feedback file.
HINTS_KEY = "hints_to_try"
HINTS_SHOWN = 2  # the graduated hints start gentle; later ones come close to the answer


def hints_to_try(pack: Any, report: Any) -> dict[str, list[str]]:
    hints: dict[str, list[str]] = {}
    for result in report.exercises:
        if result.status != Status.FAILED:
            continue
        try:
            hints[result.id] = [str(h) for h in pack.get(result.id).hints[:HINTS_SHOWN]]
        except Exception:  # an exercise the pack no longer has: no hint, never a lost result
            continue
    return hints


def crashed(workbook: Path | str, message: str, settings: CheckSettings) -> dict[str, Any]:
    report = error_report(
        str(workbook), "crashed", message, seed=settings.seed, device=settings.device
    )
    return dict(report.to_json())
