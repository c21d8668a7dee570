"""`tensorlings watch`: re-check on every save and show the first unfinished exercise.

A warm worker (torch already imported) is kept for the whole session, so a re-check costs a
fork and the checks themselves. Saves are noticed through watchfiles (the operating system's
file events on Linux, macOS and Windows; polling with --poll or where there are none).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import watchfiles

from tensorlings.checker.results import CheckReport, LoadNote
from tensorlings.vocab import Status

POLL_MILLISECONDS = 100
# A save counts once the file has been quiet this long, so a save caught half-way is not checked.
QUIET_MILLISECONDS = 50
# An editor (or a script) that empties the file and then writes it can be paused between the
# two for longer than QUIET_MILLISECONDS on a loaded machine: an empty file is checked only once
# it has stayed empty this long. Checked at once, it showed every exercise "not started", and
# the next check every one "passes now".
EMPTY_GRACE_SECONDS = 1.0


class Changes:
    """Waits for the next finished change of one file."""

    def __init__(self, path: Path, poll: bool) -> None:
        self.path = path.resolve()
        self.poll = poll
        self.stop = threading.Event()
        self.stamp = self._stamp()
        self._events: Iterator[set[tuple[watchfiles.Change, str]]] = watchfiles.watch(
            self.path.parent,
            watch_filter=self._is_ours,
            step=QUIET_MILLISECONDS,
            rust_timeout=POLL_MILLISECONDS,
            yield_on_timeout=True,
            stop_event=self.stop,
            force_polling=poll,
            poll_delay_ms=POLL_MILLISECONDS,
        )

    def _is_ours(self, change: watchfiles.Change, path: str) -> bool:
        return Path(path).name == self.path.name and change is not watchfiles.Change.deleted

    @property
    def mode(self) -> str:
        return "polling" if self.poll else "file events"

    def _stamp(self) -> tuple[float, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime, info.st_size

    def wait(self, timeout: float | None = None) -> bool:
        """True when the file changed (False after `timeout` seconds without a change)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for _events in self._events:
            stamp = self._stamp()
            if stamp is not None and stamp != self.stamp:
                self.stamp = stamp
                if stamp[1] == 0:
                    self._until_written()
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return False

    def _until_written(self) -> None:
        """Wait, up to EMPTY_GRACE_SECONDS, for a just-emptied file to be written."""
        end = time.monotonic() + EMPTY_GRACE_SECONDS
        for _events in self._events:  # ticks at least every POLL_MILLISECONDS
            stamp = self._stamp()
            if stamp is not None and stamp[1] > 0:
                self.stamp = stamp
                return
            if time.monotonic() >= end:
                return

    def close(self) -> None:
        self.stop.set()


@dataclass(frozen=True)
class SaveChanges:
    """What one save changed, compared with the check before it."""

    fixed: tuple[str, ...] = ()
    broken: tuple[tuple[str, str], ...] = ()  # (exercise id, kind of its first failure)
    new_notes: tuple[LoadNote, ...] = ()
    gone_notes: tuple[LoadNote, ...] = ()


def _note_key(note: LoadNote) -> tuple[str, str]:
    return note.kind, note.message  # not the line: an edit above a note moves it, nothing more


def what_changed(before: CheckReport | None, after: CheckReport) -> SaveChanges:
    """Fixed and newly failing exercises, and load notes that came or went: nothing on the
    first check, nor across a check of a file that could not be read (its error is shown)."""
    if before is None or before.error is not None or after.error is not None:
        return SaveChanges()  # a file that could not be checked has nothing to compare
    was = {r.id: r.status for r in before.exercises}
    fixed = tuple(
        r.id
        for r in after.exercises
        if r.status == Status.PASSED and was.get(r.id) != Status.PASSED
    )
    broken = tuple(
        (r.id, next((p.kind for p in r.problems if p.fails), "failed"))
        for r in after.exercises
        if r.status == Status.FAILED and was.get(r.id) != Status.FAILED
    )
    old = {_note_key(n) for n in before.load_notes}
    new = {_note_key(n) for n in after.load_notes}
    return SaveChanges(
        fixed,
        broken,
        tuple(n for n in after.load_notes if _note_key(n) not in old),
        tuple(n for n in before.load_notes if _note_key(n) not in new),
    )


def _changes_view(console: Any, changes: SaveChanges) -> None:
    for exercise_id in changes.fixed:
        console.print(f"[green]✓ {exercise_id} passes now.[/]")
    for exercise_id, kind in changes.broken:
        console.print(f"[red]✗ {exercise_id} fails now[/]: {kind}")
    for note in changes.new_notes:  # in full in the list of load notes under these lines
        console.print(f"[yellow]+ new load note[/], line {note.line}: {note.kind}")
    for note in changes.gone_notes:
        console.print(f"[green]- load note gone[/] (was line {note.line}: {note.kind})")


def show(console: Any, report: CheckReport, changes: SaveChanges = SaveChanges()) -> None:
    from tensorlings.views.console import (
        exercise_block,
        first_unfinished,
        load_notes_view,
        summary_line,
    )

    console.clear()
    _changes_view(console, changes)
    if report.error is not None:
        from tensorlings.views.console import report_view

        report_view(console, report)
        return
    load_notes_view(console, report)
    nxt = first_unfinished(report.exercises)
    if nxt is not None:
        exercise_block(console, nxt, report)
    else:  # everything passes: the notes and advice `check` would show, as it shows them
        for result in report.exercises:
            if result.problems:
                exercise_block(console, result, report, explain=False)
    summary_line(console, report)
    console.print("[dim]Watching for saves. Ctrl-C to stop.[/]")


def watch(
    path: Path,
    *,
    seed: int,
    poll: bool,
    limits: Any,
    once: bool = False,
    strict: bool = False,
    catalogue: Any = None,
) -> int:
    from rich.console import Console

    from tensorlings import learner
    from tensorlings.checker.incremental import IncrementalChecker
    from tensorlings.checker.sandbox import ZygoteHandle

    console = Console()
    changes = Changes(path, poll)
    with ZygoteHandle(spare=True) as zygote:  # a child ready for each save
        console.print(f"Watching {path} ({changes.mode}).")
        before: CheckReport | None = None
        # No coach here: a re-check must feel instant; `tensorlings check` gives advice.
        checker = IncrementalChecker(zygote, catalogue, seed=seed, limits=limits, coach=False)
        pack = checker.catalogue.name
        try:
            while True:
                report = checker.check(path)
                report = report.strict() if strict else report
                warnings = learner.record_check(path, report, pack).warnings
                show(console, report, what_changed(before, report))
                before = report
                for warning in warnings:
                    console.print(f"[yellow]warning[/]: {warning}")
                if once:
                    return report.exit_code
                changes.wait()
                console.print(f"[dim]{path.name} changed: checking…[/]")
        except KeyboardInterrupt:
            return 0
        finally:
            changes.close()
