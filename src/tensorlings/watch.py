"""`tensorlings watch`: re-check on every save and show the first unfinished exercise.

A warm worker (torch already imported) is kept for the whole session, so a re-check costs a
fork and the checks themselves. Saves are noticed through inotify where the system has it,
and by polling the file's modification time otherwise.
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
import time
from pathlib import Path
from typing import Any

_IN_CLOSE_WRITE = 0x008
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_NONBLOCK = 0o4000
POLL_SECONDS = 0.1


class Changes:
    """Waits for the next change of one file: inotify on its folder, else polling."""

    def __init__(self, path: Path, poll: bool) -> None:
        self.path = path
        self.fd: int | None = None if poll else self._inotify(path.parent)
        self.stamp = self._stamp()

    @staticmethod
    def _inotify(folder: Path) -> int | None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(_IN_NONBLOCK)
            if fd < 0:
                return None
            mask = _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE
            if libc.inotify_add_watch(fd, str(folder).encode(), mask) < 0:
                os.close(fd)
                return None
            return int(fd)
        except (OSError, AttributeError):
            return None

    @property
    def mode(self) -> str:
        return "file events" if self.fd is not None else "polling"

    def _stamp(self) -> tuple[float, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime, info.st_size

    def _event_names(self) -> list[str]:
        assert self.fd is not None
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        names, offset = [], 0
        while offset + 16 <= len(data):
            _, _, _, length = struct.unpack_from("iIII", data, offset)
            names.append(
                data[offset + 16 : offset + 16 + length].rstrip(b"\0").decode(errors="replace")
            )
            offset += 16 + length
        return names

    def wait(self, timeout: float | None = None) -> bool:
        """True when the file changed (False after `timeout` seconds without a change).

        With file events, only a finished write (the writer closed the file, or a new file was
        renamed into place) counts, so a save caught half-way is never checked. Polling waits
        for the file to look the same on two polls in a row, for the same reason."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is None or time.monotonic() < deadline:
            if self.fd is not None:
                ready, _, _ = select.select([self.fd], [], [], POLL_SECONDS)
                if not ready or self.path.name not in self._event_names():
                    continue
                stamp = self._stamp()
            else:
                time.sleep(POLL_SECONDS)
                stamp = self._stamp()
                if stamp != self.stamp:
                    time.sleep(POLL_SECONDS)
                    if self._stamp() != stamp:
                        continue  # still being written
            if stamp is not None and stamp != self.stamp:
                self.stamp = stamp
                return True
        return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def show(console: Any, report: Any, newly_passed: list[str]) -> None:
    from tensorlings.render import exercise_block, first_unfinished, summary_line

    console.clear()
    for exercise_id in newly_passed:
        console.print(f"[green]✓ {exercise_id} passes now.[/]")
    if report.error is not None:
        from tensorlings.render import report_view

        report_view(console, report)
        return
    nxt = first_unfinished(report.exercises)
    if nxt is not None:
        exercise_block(console, nxt, report)
    summary_line(console, report)
    console.print("[dim]Watching for saves. Ctrl-C to stop.[/]")


def watch(
    path: Path, *, seed: int, poll: bool, limits: Any, once: bool = False, strict: bool = False
) -> int:
    from rich.console import Console

    from tensorlings import progress
    from tensorlings.checker.incremental import IncrementalChecker
    from tensorlings.checker.sandbox import Zygote

    console = Console()
    changes = Changes(path, poll)
    with Zygote() as zygote:
        console.print(f"Watching {path} ({changes.mode}).")
        passed_before: set[str] | None = None
        # No coach here: a re-check must feel instant; `tensorlings check` gives advice.
        checker = IncrementalChecker(zygote, seed=seed, limits=limits, coach=False)
        try:
            while True:
                report = checker.check(path)
                report = report.strict() if strict else report
                warnings = progress.record(path, report)
                passed = {r.id for r in report.exercises if r.status == "passed"}
                newly = [] if passed_before is None else sorted(passed - passed_before)
                passed_before = passed
                show(console, report, newly)
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
