"""Which workbook a folder's work is in, when it holds both workbook.py and workbook.ipynb.

The one with more exercises attempted wins (an exercise is attempted when its function is no
longer the template's stub, as the checker decides `not_started`); with as many in each, the
one saved last. The choice carries its reason as data, so `check`, `grade`, every report and
the Gradescope output can say which file was graded, which was not, and why. A file's
timestamp alone never decides it: `tensorlings init --notebook` beside a finished workbook.py
must not make the new, empty notebook the one that is graded.

    choice = choose_workbook([folder / "workbook.py", folder / "workbook.ipynb"])
    choice.chosen.path, choice.reason, choice.note()
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

WORKBOOK_NAMES = ("workbook.py", "workbook.ipynb")


class Reason(Enum):
    """Why the chosen workbook was chosen over the other."""

    ONLY_ONE_ATTEMPTED = "only_one_attempted"  # the other is still the template
    MORE_ATTEMPTED = "more_attempted"  # both have work; the chosen has more exercises attempted
    SAVED_LAST = "saved_last"  # both have work, as many exercises each: the one saved last
    NEITHER_ATTEMPTED = "neither_attempted"  # both are still the template: the one saved last


@dataclass(frozen=True)
class Candidate:
    """A workbook file and how many of its pack's exercises it attempts."""

    name: str  # the file's name in its folder
    attempted: int
    modified_ns: int = field(default=0, compare=False)  # breaks ties; not kept in reports


@dataclass(frozen=True)
class WorkbookChoice:
    chosen: Candidate
    ignored: Candidate
    reason: Reason

    @property
    def both_attempted(self) -> bool:
        return self.chosen.attempted > 0 and self.ignored.attempted > 0

    def note(self, place: str = "this folder") -> str:
        """The choice in a sentence: what was checked, what was not, and why."""
        chosen, ignored = self.chosen, self.ignored
        why = {
            Reason.ONLY_ONE_ATTEMPTED: f"{chosen.name} has {_exercises(chosen.attempted)} "
            f"attempted and {ignored.name} none (it is still the template)",
            Reason.MORE_ATTEMPTED: f"both have work, and {chosen.name} has more exercises "
            f"attempted ({chosen.attempted} against {ignored.attempted})",
            Reason.SAVED_LAST: f"both have work ({_exercises(chosen.attempted)} attempted "
            f"in each), and {chosen.name} was saved last",
            Reason.NEITHER_ATTEMPTED: f"neither has an exercise attempted, and {chosen.name} "
            "was saved last",
        }[self.reason]
        return (
            f"{place} holds both workbook.py and workbook.ipynb; checking {chosen.name}, not "
            f"{ignored.name}: {why}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "chosen": self.chosen.name,
            "ignored": self.ignored.name,
            "reason": self.reason.value,
            "attempted": {self.chosen.name: self.chosen.attempted,
                          self.ignored.name: self.ignored.attempted},
            "note": self.note("the submission"),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Any) -> WorkbookChoice | None:
        """The choice stored in a result, or None when there is none or it does not read."""
        if not isinstance(data, Mapping):
            return None
        try:
            attempted = data["attempted"]
            chosen, ignored = str(data["chosen"]), str(data["ignored"])
            return cls(
                Candidate(chosen, _count(attempted[chosen])),
                Candidate(ignored, _count(attempted[ignored])),
                Reason(data["reason"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError("not a count of exercises")
    return value


def _exercises(count: int) -> str:
    return f"{count} exercise" + ("" if count == 1 else "s")


def choose_workbook(paths: Sequence[Path], pack: str | None = None) -> WorkbookChoice:
    """Choose between two workbook files of one folder by what is in them (see the module).
    `pack`: the pack given by --pack, else each file's header decides its exercises."""
    first, second = (_candidate(path, pack) for path in paths)
    # Ties in every count go to the notebook, as before: it is the later format to be made.
    chosen, ignored = sorted(
        (first, second),
        key=lambda c: (c.attempted, c.modified_ns, c.name.endswith(".ipynb")),
        reverse=True,
    )
    if chosen.attempted > 0 and ignored.attempted == 0:
        reason = Reason.ONLY_ONE_ATTEMPTED
    elif chosen.attempted > ignored.attempted:
        reason = Reason.MORE_ATTEMPTED
    elif chosen.attempted > 0:
        reason = Reason.SAVED_LAST
    else:
        reason = Reason.NEITHER_ATTEMPTED
    return WorkbookChoice(chosen, ignored, reason)


def _candidate(path: Path, pack: str | None) -> Candidate:
    try:
        status = path.stat()
    except OSError:
        return Candidate(path.name, 0)
    if not stat.S_ISREG(status.st_mode):  # a FIFO or device named workbook.py: never read it
        return Candidate(path.name, 0, status.st_mtime_ns)
    return Candidate(path.name, attempted(path, pack), status.st_mtime_ns)


def attempted(path: Path, pack: str | None = None) -> int:
    """How many of the pack's exercises the file defines with more than the template's stub;
    0 for a file that cannot be read as a workbook."""
    from tensorlings.checker import static
    from tensorlings.checker.source import read_workbook
    from tensorlings.packs.header import choose

    try:
        functions = static.last_definitions(read_workbook(path).definitions())
        exercises = choose(pack, path).catalogue.exercises if functions else ()
    except Exception:  # a learner's file may break the parser in any way: then no work counts
        return 0
    return sum(
        1
        for exercise in exercises
        if exercise.id in functions and not static.is_stub(functions[exercise.id], exercise.starter)
    )


def workbooks_in(folder: Path) -> list[Path]:
    """The folder's workbook.py and workbook.ipynb, those that exist."""
    return [folder / name for name in WORKBOOK_NAMES if (folder / name).exists()]
