"""Turn the SUBMISSION arguments of `tensorlings grade` into named workbooks.

A submission is a workbook (`.py` or `.ipynb`) or a folder holding one. A folder that holds
none, or several with none named `workbook`, is still a submission: it gets an error result
instead of stopping the run. Names are unique and safe as file names; they name the results
file and the row of each report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tensorlings.grading.errors import GradingError
from tensorlings.workbook_choice import WorkbookChoice, choose_workbook

WORKBOOK_SUFFIXES = (".py", ".ipynb")
PREFERRED_NAMES = ("workbook.py", "workbook.ipynb")
_MAX_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Submission:
    """One submission: its name, what was given, and the workbook to check (if one was found)."""

    name: str
    source: Path
    workbook: Path | None
    problem: str | None = None  # why there is no workbook to check
    flag: str | None = None  # with no workbook: what kind of odd upload it is (see flags.py)
    choice: WorkbookChoice | None = None  # a folder with both workbooks: which one, and why


def resolve(
    arguments: Sequence[str | Path], *, out_dir: Path | None = None, pack: str | None = None
) -> tuple[Submission, ...]:
    """The submissions named by the arguments, sorted by name: `alice.py` and `bob/` give
    `alice` and `bob`; `alice/workbook.py` is `alice` too. `pack` (--pack) tells which
    exercises count as attempted when a folder holds both workbooks.

    An output folder in the folder that holds the submissions is refused (see
    `refuse_out_among`)."""
    found: Found = {}
    for argument in arguments:
        source = Path(argument)
        # A link is a submission of its own, never merged into the one it points to.
        key = source.absolute() if source.is_symlink() else source.resolve()
        if key not in found:
            found[key] = (source, *_locate(source, pack))
        if out_dir is not None:
            refuse_out_among(source, Path(out_dir))
    _refuse_links_to_others(found)
    if not found:
        raise GradingError(
            "no submissions given: name workbooks (.py, .ipynb) or folders that hold one"
        )
    candidates = sorted(found.values(), key=lambda item: (_base_name(item[0]), str(item[0])))
    names = unique_names(_base_name(source) for source, *_ in candidates)
    submissions = [
        Submission(name, source, workbook, problem, flag, _choice(source, workbook, pack))
        for name, (source, workbook, problem, flag) in zip(names, candidates, strict=True)
    ]
    return tuple(sorted(submissions, key=lambda s: s.name))


def refuse_out_among(source: Path, out_dir: Path) -> None:
    """Refuse an output folder that is a submission, is inside one, or is (or is in) the folder
    that holds one: `grade class/* --out class/grades` would take the reports for
    a student's submission on the next run, and `--out class` leaves nothing to grade."""
    out, given = out_dir.resolve(), source.absolute().resolve()
    holder = source.absolute().parent.resolve()
    if out == given or given in out.parents:
        where = "is" if out == given else "is inside"
        where += f" the submission {str(source)!r}"
    elif out == holder or holder in out.parents:
        where = "is" if out == holder else "is inside"
        where += f" {str(source.parent)!r}, the folder that holds the submissions"
    else:
        return
    raise GradingError(
        f"--out {str(out_dir)!r} {where}: on the next run its reports would be graded as a "
        "student's submission. Give an output folder outside the submissions, e.g. "
        f"--out {str(holder.parent / 'grades')!r}"
    )


Located = tuple[Path | None, str | None, str | None]  # (workbook, why none, flag)
Found = dict[Path, tuple[Path, Path | None, str | None, str | None]]


def _refuse_links_to_others(found: Found) -> None:
    """A submission that is a link into another submission is refused: it would be graded
    on someone else's work."""
    owners = [key for key, (source, *_) in found.items() if not source.is_symlink()]
    for key, (source, workbook, _, _) in list(found.items()):
        if not source.is_symlink() or workbook is None:
            continue
        target = workbook.resolve()
        if any(target == owner or owner in target.parents for owner in owners):
            found[key] = (source, *_refused(source, source.parent, "another submission"))


def _locate(source: Path, pack: str | None = None) -> Located:
    if source.is_symlink() and not _inside(source, source.parent):
        return _refused(source, source.parent)
    if source.is_dir():
        return find_workbook(source, pack)
    if not source.exists():
        raise GradingError(
            f"{str(source)!r} does not exist: give workbooks (.py, .ipynb) or folders that hold one"
        )
    if source.suffix.lower() not in WORKBOOK_SUFFIXES:
        # Reported in its own row rather than stopping the class: `subs/*` may catch a roster.
        return (
            None,
            (
                f"{str(source)!r} is not a workbook: a submission is a .py or .ipynb file, "
                "or a folder holding one"
            ),
            _size_flag(source, "not_a_workbook"),
        )
    return source, None, None


def _inside(path: Path, folder: Path) -> bool:
    """Whether the path, all links followed, is in the folder (all links followed)."""
    try:
        target, root = path.resolve(strict=True), folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return False  # a dangling or looping link leads nowhere inside
    return target == root or root in target.parents


def _refused(path: Path, folder: Path, where: str | None = None) -> Located:
    where = where or f"a file outside the submission ({str(folder)!r})"
    why = (
        f"refused {str(path)!r}: it is a symbolic link to {where}, and a submission may "
        "only be graded on its own files; ask the student for the file itself"
    )
    return None, why, "unreadable"


def _size_flag(path: Path, otherwise: str) -> str:
    try:
        return "empty" if path.stat().st_size == 0 else otherwise
    except OSError:
        return "unreadable"


def find_workbook(folder: Path, pack: str | None = None) -> Located:
    """The folder's one workbook, or None, why there is no single one, and its flag."""
    try:
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        files = [p for p in entries if p.is_file()]
    except OSError as error:
        why = f"the folder {str(folder)!r} could not be read: {error.strerror or error}"
        return None, why, "unreadable"
    workbooks = [p for p in files if p.suffix.lower() in WORKBOOK_SUFFIXES]
    preferred = [p for p in workbooks if p.name in PREFERRED_NAMES]
    chosen = None
    if len(preferred) == 2:  # both workbook.py and workbook.ipynb: the one with the work
        chosen = folder / choose_workbook(preferred, pack).chosen.name
    elif preferred:
        chosen = preferred[0]
    elif len(workbooks) == 1:
        chosen = workbooks[0]
    if chosen is not None:
        return (chosen, None, None) if _inside(chosen, folder) else _refused(chosen, folder)
    if not workbooks:
        why = (
            f"the folder {str(folder)!r} holds no workbook (.py or .ipynb); "
            "put the learner's workbook in it"
        )
        return None, why, "not_a_workbook" if entries else "empty"
    listed = ", ".join(p.name for p in workbooks[:5]) + (", …" if len(workbooks) > 5 else "")
    return (
        None,
        (
            f"the folder {str(folder)!r} holds {len(workbooks)} workbooks ({listed}) and none is "
            "named workbook.py or workbook.ipynb; keep one, or rename the one to grade workbook.py"
        ),
        None,
    )


def workbook_choice(folder: Path, pack: str | None = None) -> WorkbookChoice | None:
    """Which of the folder's workbook.py and workbook.ipynb is graded and why; None unless
    it holds both (as files)."""
    both = [folder / name for name in PREFERRED_NAMES]
    if not all(path.is_file() for path in both):
        return None
    return choose_workbook(both, pack)


def _choice(source: Path, workbook: Path | None, pack: str | None) -> WorkbookChoice | None:
    if workbook is None or not source.is_dir() or workbook.parent != source:
        return None
    return workbook_choice(source, pack)


def _base_name(source: Path) -> str:
    """What the submission is called before it is made safe and unique."""
    if source.is_dir():
        return source.resolve().name
    if source.name in PREFERRED_NAMES:  # alice/workbook.py is alice's
        return source.resolve().parent.name
    return source.stem


def safe_name(text: str) -> str:
    """A name made of letters, digits, '.', '_' and '-', not starting with '.' or '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = _UNSAFE.sub("_", ascii_text).strip("._-")[:_MAX_NAME].rstrip("._-")
    return name or "submission"


def unique_names(bases: Iterable[str]) -> list[str]:
    """Safe names, numbered where two would clash (ignoring case, for case-blind file systems)."""
    taken: set[str] = set()
    names = []
    for base in bases:
        stem = safe_name(base)
        name, number = stem, 1
        while name.casefold() in taken:
            number += 1
            name = f"{stem}-{number}"
        taken.add(name.casefold())
        names.append(name)
    return names
