"""`tensorlings grade`: check a class's workbooks, keep every result, and write the reports.

    summary = grade(["submissions/alice.py", "submissions/bob"], Path("grades"), jobs=2)
    summary.exit_code  # 0: nothing failed; 1: some exercise failed or a workbook was unusable

Each result is saved the moment it is known, so a run that is stopped loses nothing: the same
command again checks only the submissions with no valid result for their current content. The
reports are made from the results this process checked or verified, never from files that
something else may have rewritten since.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tensorlings import files
from tensorlings.checker.results import CheckReport
from tensorlings.grading.checking import HINTS_KEY, CheckSettings, crashed
from tensorlings.grading.config import GradingConfig
from tensorlings.grading.errors import GradingError, GradingInterrupted
from tensorlings.grading.flags import workbook_flag
from tensorlings.grading.isolation import (
    WeakIsolation,
    class_isolation,
    probe_isolation,
    weak_allowed_by_environment,
)
from tensorlings.grading.model import ClassContext, Graded, error_report
from tensorlings.grading.progress import Progress, Silent
from tensorlings.grading.reports import write_reports
from tensorlings.grading.runner import Job, run_local, start_server
from tensorlings.grading.schedule import expected_seconds, longest_first
from tensorlings.grading.snapshots import Snapshots
from tensorlings.grading.store import ResultStore, fingerprint, tensorlings_version
from tensorlings.grading.submissions import Submission, resolve


@dataclass(frozen=True)
class GradeSummary:
    """What one run did; `exit_code` is what the CLI returns."""

    out_dir: Path
    submissions: int
    checked: int  # checked by this run (the rest were unchanged since an earlier run)
    unchanged: int
    failed: int  # submissions that failed at least one exercise
    could_not_check: int  # no single workbook, unreadable, syntax error, crashed
    seconds: float
    reports: tuple[Path, ...]
    attempted_nothing: int = 0  # checked, but every exercise is still the template
    rejected: int = 0  # stored results that failed validation, so were checked again
    seed: int = 0
    weak_isolation: bool = False  # graded without the full sandbox (allowed by the user)
    flagged: int = 0  # odd uploads (empty, not a workbook, untouched template, ...)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed anywhere; 1 when some submission failed or was unusable."""
        return 1 if self.failed or self.could_not_check else 0


@dataclass(frozen=True)
class _Plan:
    jobs: tuple[Job, ...]  # workbooks to check
    unusable: tuple[tuple[Submission, str, str], ...]  # (submission, why, sha256): no workbook
    unchanged: int
    kept: dict[str, Graded]  # the unchanged submissions' verified results
    contents: dict[str, bytes | None]  # what was hashed, to flag odd uploads by
    rejected: int = 0


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def grade(
    submissions: Sequence[str | Path],
    out_dir: Path,
    *,
    jobs: int | None = None,
    gradescope: bool = False,
    dask_address: str | None = None,
    progress: Progress | None = None,
    settings: CheckSettings | None = None,
    seed: int | None = None,
    config: GradingConfig | None = None,
    allow_weak_isolation: bool | None = None,
) -> GradeSummary:
    """Grade every submission into out_dir; raises GradingError for what the user must fix.

    `settings` (device, limits) default to those of `tensorlings check`; the seed is the
    output folder's secret one, drawn on its first run, unless `seed` forces one. `jobs`
    defaults to the CPUs available; with `dask_address` the checks run on that Dask cluster.
    Without the full sandbox it refuses to run unless `allow_weak_isolation` (None: the
    TENSORLINGS_ALLOW_WEAK_ISOLATION environment variable decides).
    """
    started = time.perf_counter()
    resolved = resolve(submissions, out_dir=Path(out_dir), pack=settings.pack if settings else None)
    store = ResultStore(out_dir)
    store.prepare()
    if allow_weak_isolation is None:
        allow_weak_isolation = weak_allowed_by_environment()
    with store.locked():
        chosen = seed if seed is not None else store.secret.seed
        settings = replace(settings or CheckSettings(), seed=chosen)
        config, settings = _timing_advice(config or GradingConfig(), settings)
        plan = _plan(resolved, store, settings)
        if plan.jobs and dask_address is None:
            start_server()  # its torch import runs beside the probe and the snapshots
        if plan.jobs and dask_address is None and not allow_weak_isolation:
            probe_isolation()  # refuse before anything is checked, not after
        saver = _Saver(store, resolved, progress or Silent(), settings, allow_weak_isolation)
        with Snapshots(store.out_dir).kept_for_the_run() as snapshots:
            copies = tuple(_copied(job, plan, snapshots) for job in plan.jobs)
            saver.snapshots = snapshots
            saver.run(plan, lambda: _run(copies, saver, jobs, dask_address, settings))
        graded = [saver.graded.get(s.name) or plan.kept[s.name] for s in resolved]
        context = ClassContext(
            config=config,
            seed=chosen,
            isolation=class_isolation(graded, allow_weak_isolation),
            generator=f"tensorlings {tensorlings_version()}",
            **({"pack": settings.pack_key} if settings.pack_key else {}),
        )
        paths = write_reports(store.out_dir, graded, gradescope=gradescope, context=context)
    return _summary(store, graded, plan, context, paths, time.perf_counter() - started)


def _timing_advice(
    config: GradingConfig, settings: CheckSettings
) -> tuple[GradingConfig, CheckSettings]:
    """Timing advice is measured and reported when the config or the flag asks for it."""
    if not (config.timing_advice or settings.timing_advice):
        return config, settings
    return replace(config, timing_advice=True), replace(settings, timing_advice=True)


def _summary(
    store: ResultStore,
    graded: Sequence[Graded],
    plan: _Plan,
    context: ClassContext,
    paths: Sequence[Path],
    seconds: float,
) -> GradeSummary:
    return GradeSummary(
        out_dir=store.out_dir,
        submissions=len(graded),
        checked=len(plan.jobs) + len(plan.unusable),
        unchanged=plan.unchanged,
        failed=sum(1 for g in graded if g.failed_something),
        could_not_check=sum(1 for g in graded if g.could_not_check),
        attempted_nothing=sum(1 for g in graded if g.attempted_nothing),
        seconds=seconds,
        reports=tuple(paths),
        rejected=plan.rejected,
        seed=context.seed or 0,
        weak_isolation=not context.isolation.full,
        flagged=sum(1 for g in graded if g.flag),
    )


def _plan(submissions: Sequence[Submission], store: ResultStore, settings: CheckSettings) -> _Plan:
    """What needs checking: every submission without a valid stored result for its current
    content (one that fails validation is checked again)."""
    unusable, unchanged, rejected = [], 0, 0
    jobs: list[Job] = []
    kept: dict[str, Graded] = {}
    contents: dict[str, bytes | None] = {}
    expected: dict[int, float | None] = {}  # each job's guessed cost, to check longest first
    for submission in submissions:
        workbook, content, why = _read(submission)
        contents[submission.name] = content if workbook is not None else None
        key = fingerprint(content, settings=settings.key() + _choice_key(submission))
        stored = store.load(submission.name)
        if stored is None and store.path(submission.name).exists():
            rejected += 1
        if stored is not None and stored.sha256 == key:
            unchanged += 1
            kept[submission.name] = stored.graded
        elif workbook is None:
            unusable.append((submission, why, key))
        else:
            earlier = stored.graded if stored is not None else None
            expected[len(jobs)] = expected_seconds(content, earlier)
            jobs.append(Job(submission.name, workbook, key))
    ordered = tuple(longest_first(jobs, expected))
    return _Plan(ordered, tuple(unusable), unchanged, kept, contents, rejected)


def _choice_key(submission: Submission) -> str:
    """The choice between two workbooks is part of the result: a new one is checked again."""
    if submission.choice is None:
        return ""
    return "; workbook choice: " + json.dumps(submission.choice.to_json(), sort_keys=True)


def _copied(job: Job, plan: _Plan, snapshots: Snapshots) -> Job:
    content = plan.contents.get(job.name)
    assert content is not None  # a job is a workbook whose bytes were read
    return replace(job, workbook=snapshots.take(job.name, job.workbook, content))


def _read(submission: Submission) -> tuple[Path | None, bytes, str]:
    """(workbook, its bytes, "") or (None, what to hash instead, why it cannot be checked).

    What is hashed instead never holds a path, so a class folder that is moved or copied
    still matches its results."""
    if submission.workbook is None:
        why = submission.problem or "no workbook"
        return None, b"folder\0" + "\0".join(_listing(submission.source)).encode(), why
    try:
        return submission.workbook, files.read_bytes(submission.workbook), ""
    except files.UnreadableFile as error:  # a FIFO, a device, too big: refused, never waited on
        why = str(error)
        return None, f"unreadable\0{why.replace(str(submission.workbook), '')}".encode(), why


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in folder.iterdir())
    except OSError as error:
        return [f"unreadable: {error.strerror}"]


def _run(
    jobs: Sequence[Job],
    saver: _Saver,
    workers: int | None,
    dask_address: str | None,
    settings: CheckSettings,
) -> None:
    if not jobs:
        return
    if dask_address is not None:
        from tensorlings.grading.dask_runner import run_dask

        run_dask(jobs, address=dask_address, settings=settings, on_result=saver.on_result)
    else:
        workers = workers or default_jobs()
        run_local(jobs, workers=workers, settings=settings, on_result=saver.on_result)


class _Saver:
    """Writes each result as it arrives (in this process only) and reports progress."""

    def __init__(
        self,
        store: ResultStore,
        submissions: Sequence[Submission],
        progress: Progress,
        settings: CheckSettings,
        allow_weak_isolation: bool,
    ) -> None:
        self.store = store
        self.sources = {s.name: s for s in submissions}
        self.progress = progress
        self.settings = settings
        self.allow_weak = allow_weak_isolation
        self.graded: dict[str, Graded] = {}
        self.contents: dict[str, bytes | None] = {}
        self.snapshots: Snapshots | None = None  # the copies being checked, if any

    @property
    def saved(self) -> int:
        return len(self.graded)

    def run(self, plan: _Plan, check: Callable[[], None]) -> None:
        """Save the unusable submissions' results, then those `check` produces."""
        self.contents = plan.contents
        self.progress.start(len(plan.jobs) + len(plan.unusable), plan.unchanged)
        try:
            for submission, why, sha256 in plan.unusable:
                report = error_report(
                    str(submission.source), "unreadable", why,
                    seed=self.settings.seed, device=self.settings.device,
                )  # fmt: skip
                self.save(submission.name, dict(report.to_json()), sha256)
            check()
        except KeyboardInterrupt:
            raise GradingInterrupted(
                f"interrupted: {plan.unchanged + self.saved} of {len(self.sources)} results are "
                f"saved in {str(self.store.folder)!r}; run the same command again to grade "
                "the rest"
            ) from None
        finally:
            self.progress.finish()

    def save(self, name: str, data: dict[str, Any], sha256: str) -> None:
        source = self.sources[name]
        data = dict(data)
        hints = data.pop(HINTS_KEY, None)  # from the pool process's pack, not from the check
        if self.snapshots is not None:
            data = self.snapshots.clean(data)  # the submission's path, never the copy's
        try:
            report = CheckReport.from_json(data)  # what comes back is checked before it is kept
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            message = f"the checker sent back a report that cannot be read ({error})"
            data = crashed(source.source, message, self.settings)
            report = CheckReport.from_json(data)
        if not self.allow_weak and report.error is None and not report.isolation.get("full"):
            raise WeakIsolation(report.isolation)  # checked on a Dask worker without a sandbox
        grading = {
            "sha256": sha256,
            "source": str(source.source),
            "seed": self.settings.seed,
            "flag": _flag(source, self.contents.get(name), report, self.settings),
            "hints": hints if isinstance(hints, dict) else {},
        }
        if source.choice is not None:  # both workbooks in the folder: which one, and why
            grading["workbook_choice"] = source.choice.to_json()
        try:
            graded = self.store.save(name, data, grading)
        except OSError as error:
            raise GradingError(
                f"could not save the result of {name!r} in {str(self.store.folder)!r}: "
                f"{error.strerror or error}; make room and run the same command again"
            ) from None
        self.graded[name] = graded
        self.progress.advance(graded)

    def on_result(self, job: Job, data: dict[str, Any]) -> None:
        self.save(job.name, data, job.sha256)


def _flag(
    submission: Submission, content: bytes | None, report: CheckReport, settings: CheckSettings
) -> str | None:
    if submission.workbook is None:
        return submission.flag or ("unreadable" if report.error else None)
    notebook = submission.workbook.suffix.lower() == ".ipynb"
    pack = settings.pack_key.split(" ")[0] if settings.pack_key else None
    return workbook_flag(content, notebook=notebook, report=report, exercise_ids=(), pack=pack)
