"""The learner's workflow, shared by the command line, `watch` and the notebook's `%%check`:
which workbook and pack a command works on, what a check records in the progress, and what
`hint`, `solution`, `list` and `progress` show.

Nothing here prints. Each function returns what to show (plain data, or lines in rich's markup)
and its caller shows it, so the same workflow serves a terminal and a notebook. Imports are
made inside the functions: torch loads only for the commands that need it, after a typo in an
exercise id has been answered.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensorlings.errors import TensorlingsError, UnknownExercise, WorkbookError
from tensorlings.vocab import Status

if TYPE_CHECKING:
    from tensorlings.catalogue import Catalogue
    from tensorlings.checker.results import CheckReport
    from tensorlings.exercise import Exercise
    from tensorlings.packs.header import Chosen

WORKBOOK_NAMES = ("workbook.py", "workbook.ipynb")


@dataclass(frozen=True)
class Found:
    """The workbook a command works on; `note` says which of two was taken, and why."""

    path: Path
    note: str | None = None


def find_workbook(path: str | None, pack: str | None = None) -> Found:
    """The workbook to check: the path given, or workbook.py / workbook.ipynb in the folder."""
    candidate = Path(path) if path else Path(".")
    if candidate.is_dir():
        found = _workbook_in(candidate, pack)
        if found is not None:
            return found
        where = f"{candidate} holds" if path else "this folder holds"
        raise WorkbookError(
            f"{where} no workbook.py or workbook.ipynb. "
            f"Run `tensorlings init{' ' + str(candidate) if path else ''}` to create one, "
            "or give its path."
        )
    if not candidate.exists():
        raise WorkbookError(
            f"{candidate} does not exist. "
            "Give the path of your workbook, or run `tensorlings init`."
        )
    if candidate.suffix.lower() not in (".py", ".ipynb"):
        raise WorkbookError(f"{candidate} is neither a .py file nor a .ipynb notebook.")
    return Found(candidate)


def _workbook_in(folder: Path, pack: str | None) -> Found | None:
    """workbook.py or workbook.ipynb in the folder; with both, the one with the work in it
    (workbook_choice.py)."""
    from tensorlings.workbook_choice import choose_workbook, workbooks_in

    found = workbooks_in(folder)
    if len(found) < 2:
        return Found(found[0]) if found else None
    choice = choose_workbook(found, pack)
    place = "this folder" if folder == Path(".") else str(folder)
    return Found(folder / choice.chosen.name, choice.note(place))


def workbook_beside(place: Path) -> Path | None:
    """For the commands given a folder (`--dir`): the workbook there, if any; a file is itself."""
    found = [place / name for name in WORKBOOK_NAMES if (place / name).exists()]
    return found[0] if found else (place if place.is_file() else None)


def choose_pack(spec: str | None, workbook: Path | None) -> Chosen:
    """The pack a command works with: --pack, else the workbook's header, else the sheet, with
    notes about the choice (another pack than the workbook's, another version)."""
    from tensorlings.packs.header import choose

    return choose(spec, workbook)


def refuse_unknown(ids: list[str] | None, spec: str | None, place: Path) -> None:
    """A typo in an exercise id, answered before torch loads or a worker starts."""
    from tensorlings.exercise_ids import refuse_unknown as refuse

    refuse(ids, spec, workbook_beside(place))


def exercise_ids(given: list[str] | None, pack: Catalogue) -> list[str] | None:
    if not given:
        return None
    return list(dict.fromkeys(pack.get(i).id for i in given))  # each once, in order


def exercises_among(names: Iterable[str], pack: Catalogue) -> list[str]:
    """The exercise ids among names a notebook cell defined (other names are the learner's)."""
    ids = []
    for name in names:
        try:
            ids.append(pack.get(name).id)
        except UnknownExercise:
            continue
    return ids


def open_checker() -> Any:
    """The worker a check runs in. Started before the workbook is read: it imports torch while
    this process loads the pack (and torch)."""
    from tensorlings.checker.sandbox import ZygoteHandle

    return ZygoteHandle()


def check_workbook(
    path: Path | None,
    pack: Catalogue,
    *,
    zygote: Any,
    device: str,
    exercises: list[str] | None,
    **options: Any,
) -> CheckReport:
    """Check a workbook (or, with path None, the pack's reference solutions): the exercises
    given (ids as typed), else all."""
    _check_device(device)
    from tensorlings.checker.check import check_path

    ids = exercise_ids(exercises, pack)
    with tempfile.TemporaryDirectory(prefix="tensorlings-ref-") as tmp:
        if path is None:
            path = _write_reference(Path(tmp), pack)
        return check_path(
            path, device=device, zygote=zygote, catalogue=pack, exercise_ids=ids, **options
        )


def _check_device(device: str) -> None:
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise TensorlingsError(
                "--device cuda: torch sees no CUDA device on this machine. Use --device cpu."
            )


def _write_reference(folder: Path, pack: Catalogue) -> Path:
    from tensorlings import workbook

    path = folder / "reference.py"
    path.write_text(workbook.to_py(workbook.reference_cells(pack=pack)), encoding="utf-8")
    return path


def limits(timeout: float, memory_mb: float) -> Any:
    from tensorlings.checker.sandbox import Limits

    return Limits(exercise_seconds=timeout, memory_bytes=int(memory_mb * 1024 * 1024))


def unreadable_report(file: str, seed: int, device: str, message: str) -> CheckReport:
    """The report of a check that could not start (no workbook, a pack that does not load),
    for the scripts that asked for JSON."""
    from importlib.metadata import PackageNotFoundError, version

    from tensorlings.checker.check import NOT_STARTED_ISOLATION
    from tensorlings.checker.results import CheckReport, FileError

    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        torch_version = "not installed"
    return CheckReport(
        file=file,
        seed=seed,
        torch=torch_version,
        device=device,
        error=FileError("unreadable", message),
        exercises=(),
        isolation=NOT_STARTED_ISOLATION,
    )


def not_a_workbook(path: Path, report: CheckReport, pack: Catalogue) -> str | None:
    """Why the checked file is no workbook of this pack at all (nothing was checked), or None."""
    from tensorlings.grading.flags import no_exercise_reason

    return no_exercise_reason(path, report, list(pack.ids()))


@dataclass(frozen=True)
class Recorded:
    """What recording a check gave: the ids that pass now and did not before, and warnings."""

    newly_passed: frozenset[str]
    warnings: tuple[str, ...]


def record_check(path: Path, report: CheckReport, pack: str) -> Recorded:
    """Record a check in the progress beside the workbook (never raises)."""
    from tensorlings import progress

    before = progress.load(path.parent, pack)
    passed_before = {
        key for key, value in before.exercises.items() if value.status == Status.PASSED
    }
    warnings = tuple(progress.record(path, report, pack))
    passed = frozenset(r.id for r in report.exercises if r.status == Status.PASSED)
    return Recorded(passed - passed_before, warnings)


@dataclass(frozen=True)
class Written:
    """What `init` did: wrote the workbook, overwrote it (--force), or kept the one there."""

    target: Path
    written: bool
    existed: bool


def write_workbook(
    folder: Path, pack: Catalogue, spec: str | None, *, notebook: bool, force: bool
) -> Written:
    """Write a new workbook of the pack (given as `spec`) in the folder; a file there is kept
    unless force."""
    from tensorlings import workbook

    if folder.exists() and not folder.is_dir():
        raise WorkbookError(
            f"{folder} exists and is not a folder. Choose another place for the workbook."
        )
    # One workbook per folder: with two, a learner could work in one and check the other.
    target = folder / ("workbook.ipynb" if notebook else "workbook.py")
    _refuse_beside_work(target, force, pack.path or spec)
    cells = workbook.learner_cells(pack=pack, notebook=notebook)
    text = workbook.to_ipynb(cells) if notebook else workbook.to_py(cells)
    existed = target.exists()
    return Written(target, workbook.write_new(target, text, force), existed)


def _refuse_beside_work(target: Path, force: bool, pack: str | None) -> None:
    """A second workbook beside one with work in it would leave `check` and `grade` to choose
    between the two: refused unless --force."""
    from tensorlings.workbook_choice import attempted

    other = target.with_name(WORKBOOK_NAMES[1 - WORKBOOK_NAMES.index(target.name)])
    count = attempted(other, pack) if other.is_file() else 0
    if count == 0 or force:
        return
    raise WorkbookError(
        f"{other} already holds your work ({count} exercise{'s' if count > 1 else ''} "
        f"attempted). Writing {target.name} beside it would leave two workbooks in one folder, "
        f"and `check` and `grade` would have to choose between them. Keep working in "
        f"{other.name}, write the new workbook in another folder (`tensorlings init DIR"
        f"{' --notebook' if target.suffix == '.ipynb' else ''}`), or give --force to write "
        f"{target.name} here anyway."
    )


def statuses(folder: Path, pack: Catalogue) -> dict[str, str]:
    """Each exercise's state from the progress (for `list`)."""
    from tensorlings import progress

    store = progress.load(folder, pack.name)
    return {key: value.status for key, value in store.exercises.items()}


def next_hint(folder: str, pack: Catalogue, exercise_id: str) -> list[str]:
    """Record one more hint seen; the lines `hint` shows (every hint so far, then what next).
    `folder` is the --dir given, as given: the next command shown repeats it."""
    from tensorlings import progress

    exercise = pack.get(exercise_id)
    store = progress.load(Path(folder), pack.name)
    entry = store.of(exercise.id)
    entry.hints_seen = min(entry.hints_seen + 1, len(exercise.hints))
    store.save()
    total = len(exercise.hints)
    from rich.markup import escape

    lines = [  # the hint as the author wrote it: `a[r, r]` is code, never console markup
        f"[bold]Hint {level}/{total}[/]: {escape(hint)}"
        for level, hint in enumerate(exercise.hints[: entry.hints_seen], start=1)
    ]
    if entry.hints_seen < total:
        here = "" if Path(folder) == Path(".") else f" --dir {folder}"
        lines.append(
            f"[dim]Run `tensorlings hint {exercise.id}{pack.option}{here}` again for the next "
            "hint.[/]"
        )
    else:
        lines.append(
            "[dim]That was the last hint. "
            f"`tensorlings solution {exercise.id}{pack.option}` shows the reference.[/]"
        )
    return lines


def reveal_solution(folder: Path, pack: Catalogue, exercise_id: str) -> tuple[Exercise, str]:
    """Record the solution as revealed; the exercise and its reference code."""
    from tensorlings import progress, workbook

    exercise = pack.get(exercise_id)
    store = progress.load(folder, pack.name)
    store.of(exercise.id).solution_revealed = True
    store.save()
    return exercise, workbook.ReferenceSource().code(exercise)


@dataclass(frozen=True)
class ProgressView:
    """What `progress` shows: a row per exercise, how many pass, and a damaged file's warning."""

    rows: tuple[tuple[str, str, str, str, str], ...]
    passed: int
    total: int
    warning: str | None


PROGRESS_COLUMNS = ("exercise", "state", "hints", "solution", "problems")


def progress_view(folder: Path, pack: Catalogue) -> ProgressView:
    from tensorlings import progress
    from tensorlings.views.console import MARKS

    store = progress.load(folder, pack.name)
    rows = []
    passed = 0
    for exercise in pack.exercises:
        entry = store.of(exercise.id)
        passed += entry.status == Status.PASSED
        rows.append(
            (
                exercise.id,
                MARKS.get(entry.status, "") + " " + entry.status.replace("_", " "),
                f"{entry.hints_seen}/{len(exercise.hints)}",
                "revealed" if entry.solution_revealed else "",
                ", ".join(entry.problems),
            )
        )
    return ProgressView(tuple(rows), passed, len(pack), store.warning)
