"""Progress of a grading run on stderr: a rich bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

from tensorlings.grading.model import Graded
from tensorlings.grading.safe_text import safe_text


class Progress(Protocol):
    def start(self, to_check: int, unchanged: int) -> None: ...

    def advance(self, graded: Graded) -> None: ...

    def finish(self) -> None: ...


class Silent:
    def start(self, to_check: int, unchanged: int) -> None:
        pass

    def advance(self, graded: Graded) -> None:
        pass

    def finish(self) -> None:
        pass


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def outcome(graded: Graded) -> str:
    """One line about one result: `12 passed, 3 failed, 21 not started` or why it has none."""
    error = graded.report.error
    flag = f" (flagged: {graded.flag})" if graded.flag else ""
    if error is not None:
        first_line = error.message.splitlines()[0] if error.message else ""
        return safe_text(f"could not be checked ({error.kind}: {first_line[:120]}){flag}")
    counts = graded.report.summary()
    return (
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['not_started']} "
        f"not started{flag}"
    )


class Lines:
    """`[3/12] alice: 30 passed, 2 failed, 4 not started`, one line per result (logs, CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.done = 0
        self.total = 0

    def start(self, to_check: int, unchanged: int) -> None:
        self.total = to_check
        kept = f" ({unchanged} unchanged since the last run)" if unchanged else ""
        print(f"grading {plural(to_check, 'submission')}{kept}", file=self.stream, flush=True)

    def advance(self, graded: Graded) -> None:
        self.done += 1
        line = f"[{self.done}/{self.total}] {graded.submission}: {outcome(graded)}"
        print(line, file=self.stream, flush=True)

    def finish(self) -> None:
        pass


class Bar:
    """A rich progress bar with the last submission graded."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            TextColumn("grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=Console(file=stream),
            transient=False,
        )
        self.task = self.bar.add_task("", total=0)

    def start(self, to_check: int, unchanged: int) -> None:
        kept = f"{unchanged} unchanged since the last run" if unchanged else ""
        self.bar.update(self.task, total=to_check, description=kept)
        self.bar.start()

    def advance(self, graded: Graded) -> None:
        from rich.markup import escape

        line = escape(f"{graded.submission}: {outcome(graded)}")  # text, not rich markup
        self.bar.update(self.task, advance=1, description=line)

    def finish(self) -> None:
        self.bar.stop()


def for_stream(stream: TextIO | None = None) -> Progress:
    """A bar when the stream is a terminal, plain lines when it is not (a log, a pipe)."""
    stream = stream or sys.stderr
    return Bar(stream) if stream.isatty() else Lines(stream)
