"""The `tensorlings` command: a thin layer that parses arguments and maps errors to exit codes.

Exit codes: 0 nothing failed; 1 an exercise failed; 2 the file could not be checked, or the
command was used wrongly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensorlings import __version__
from tensorlings.errors import PackError, TensorlingsError, WorkbookError
from tensorlings.vocab import Status

if TYPE_CHECKING:
    from tensorlings.catalogue import Catalogue

WORKBOOK_NAMES = ("workbook.py", "workbook.ipynb")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # FORCE_COLOR (as rich reads it) keeps colours when piped; NO_COLOR wins over it.
    forced = bool(os.environ.get("FORCE_COLOR"))
    plain = not (stream.isatty() or forced) or "NO_COLOR" in os.environ
    # No colour and no wrapping when piped (scripts and CI read these lines), unless COLUMNS
    # says how wide the reader's screen is: then every line fits it.
    unwrapped = plain and not os.environ.get("COLUMNS", "").isdigit()
    return Console(stderr=stderr, highlight=False, no_color=plain, soft_wrap=unwrapped)


def _workbook_in(folder: Path, pack: str | None = None) -> Path | None:
    """workbook.py or workbook.ipynb in the folder; with both, the one with the work in it
    (workbook_choice.py), and say which and why."""
    from rich.markup import escape

    from tensorlings.workbook_choice import choose_workbook, workbooks_in

    found = workbooks_in(folder)
    if len(found) < 2:
        return found[0] if found else None
    choice = choose_workbook(found, pack)
    place = "this folder" if folder == Path(".") else str(folder)
    _console(stderr=True).print(
        f"[yellow]note[/]: {escape(choice.note(place))} Give the path to check the other.",
        highlight=False,
    )
    return folder / choice.chosen.name


def find_workbook(path: str | None, pack: str | None = None) -> Path:
    """The workbook to check: the path given, or workbook.py / workbook.ipynb here."""
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
    if candidate.suffix not in (".py", ".ipynb"):
        raise WorkbookError(f"{candidate} is neither a .py file nor a .ipynb notebook.")
    return candidate


def _limits(args: argparse.Namespace) -> Any:
    from tensorlings.checker.sandbox import Limits

    return Limits(exercise_seconds=args.timeout, memory_bytes=int(args.memory_mb * 1024 * 1024))


def _check_device(device: str) -> None:
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise TensorlingsError(
                "--device cuda: torch sees no CUDA device on this machine. Use --device cpu."
            )


def cmd_check(args: argparse.Namespace) -> int:
    from tensorlings.checker.sandbox import Zygote
    from tensorlings.grading.flags import no_exercise_reason

    _refuse_unknown(args, args.exercise)  # a typo answered before torch or a worker starts
    # Started first: the worker imports torch while this process loads the pack (and torch).
    zygote = Zygote()
    try:
        try:
            path = None if args.reference else find_workbook(args.path, args.pack)
            pack = _pack(args, path)
        except (WorkbookError, PackError) as error:
            if not args.json:
                raise
            _print_unreadable(args, str(error))  # scripts asked for JSON: they get JSON
            return 2
        _check_device(args.device)
        from tensorlings.checker.check import check_path

        ids = _exercise_ids(args.exercise, pack)
        with tempfile.TemporaryDirectory(prefix="tensorlings-ref-") as tmp:
            if args.reference:
                path = _write_reference(Path(tmp), pack)
            assert path is not None
            report = check_path(
                path,
                seed=args.seed,
                device=args.device,
                limits=_limits(args),
                exercise_ids=ids,
                zygote=zygote,
                catalogue=pack,
            )
    finally:
        zygote.close()
    if args.strict:
        report = report.strict()
    newly_passed: frozenset[str] = frozenset()
    every_id = list(pack.ids())
    empty = None if args.reference else no_exercise_reason(path, report, every_id)
    if empty is not None:
        if args.json:
            print(json.dumps(report.to_json(), indent=1))
        raise WorkbookError(empty)
    if not args.reference:
        newly_passed = _record_progress(path, report, pack.name)
    if args.json:
        print(json.dumps(report.to_json(), indent=1))
    else:
        from tensorlings.render import report_view

        report_view(_console(), report, verbose=args.verbose, explain=newly_passed)
    return report.exit_code


def _print_unreadable(args: argparse.Namespace, message: str) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from tensorlings.checker.check import NOT_STARTED_ISOLATION
    from tensorlings.checker.results import CheckReport, FileError

    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        torch_version = "not installed"
    report = CheckReport(
        file=str(args.path or "."),
        seed=args.seed,
        torch=torch_version,
        device=args.device,
        error=FileError("unreadable", message),
        exercises=(),
        isolation=NOT_STARTED_ISOLATION,
    )
    print(json.dumps(report.to_json(), indent=1))


def _pack(args: argparse.Namespace, workbook: Path | None) -> Catalogue:
    """The pack a command works with: --pack, else the workbook's header, else the sheet. Notes
    about the choice (another pack than the workbook's, another version) go to stderr."""
    from tensorlings.packs.header import choose

    chosen = choose(getattr(args, "pack", None), workbook)
    for note in chosen.notes:
        _console(stderr=True).print(f"[yellow]note[/]: {note}", highlight=False)
    return chosen.catalogue


def _pack_in(args: argparse.Namespace) -> Catalogue:
    """For the commands given a folder (--dir): the pack of the workbook there, if any."""
    folder = Path(args.dir)
    found = [folder / name for name in WORKBOOK_NAMES if (folder / name).exists()]
    return _pack(args, found[0] if found else None)


def _refuse_unknown(args: argparse.Namespace, ids: list[str] | None) -> None:
    from tensorlings.exercise_ids import refuse_unknown

    folder = Path(getattr(args, "dir", None) or getattr(args, "path", None) or ".")
    found = [folder / name for name in WORKBOOK_NAMES if (folder / name).exists()]
    workbook = found[0] if found else (folder if folder.is_file() else None)
    refuse_unknown(ids, getattr(args, "pack", None), workbook)


def _exercise_ids(given: list[str] | None, pack: Catalogue) -> list[str] | None:
    if not given:
        return None
    return list(dict.fromkeys(pack.get(i).id for i in given))  # each once, in order


def _write_reference(folder: Path, pack: Catalogue) -> Path:
    from tensorlings import workbook

    path = folder / "reference.py"
    path.write_text(workbook.to_py(workbook.reference_cells(pack=pack)), encoding="utf-8")
    return path


def _record_progress(path: Path, report: Any, pack: str) -> frozenset[str]:
    """Record the check; the ids that pass now and did not before."""
    from tensorlings import progress

    before = progress.load(path.parent, pack)
    passed_before = {
        key for key, value in before.exercises.items() if value.status == Status.PASSED
    }
    for warning in progress.record(path, report, pack):
        _console(stderr=True).print(f"[yellow]warning[/]: {warning}")
    return frozenset(r.id for r in report.exercises if r.status == Status.PASSED) - passed_before


def cmd_init(args: argparse.Namespace) -> int:
    from tensorlings import packs, workbook

    pack = packs.load(args.pack)
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise WorkbookError(
            f"{folder} exists and is not a folder. Choose another place for the workbook."
        )
    # One workbook per folder: with two, a learner could work in one and check the other.
    if args.notebook:
        targets = [(folder / "workbook.ipynb", workbook.to_ipynb)]
    else:
        targets = [(folder / "workbook.py", workbook.to_py)]
    _refuse_beside_work(targets[0][0], args.force, pack.path or args.pack)
    cells = workbook.learner_cells(pack=pack, notebook=args.notebook)
    console = _console()
    kept = []
    for target, render in targets:
        existed = target.exists()
        if workbook.write_new(target, render(cells), args.force):
            console.print(f"{'overwrote (--force)' if existed else 'wrote'} {target}")
        else:
            kept.append(target)
    for target in kept:
        console.print(
            f"[yellow]kept[/] {target}: it already exists and may hold your work "
            "(use --force to overwrite it)."
        )
    first = pack.exercises[0].id if pack.exercises else "the first function"
    given = f" --pack {args.pack}" if pack.path else ""  # a header never chooses a file to import
    console.print(
        f"Next: open the workbook, write {first}, then run "
        f"`tensorlings check {targets[0][0]}{given}`."
    )
    return 2 if kept and len(kept) == len(targets) else 0


def _refuse_beside_work(target: Path, force: bool, pack: str | None) -> None:
    """A second workbook beside one with work in it would leave `check` and `grade` to choose
    between the two: refused unless --force."""
    from tensorlings.workbook_choice import WORKBOOK_NAMES as NAMES
    from tensorlings.workbook_choice import attempted

    other = target.with_name(NAMES[1 - NAMES.index(target.name)])
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


def cmd_list(args: argparse.Namespace) -> int:
    from tensorlings import progress
    from tensorlings.render import exercise_list

    pack = _pack_in(args)
    store = progress.load(Path(args.dir), pack.name)
    exercise_list(_console(), {key: value.status for key, value in store.exercises.items()}, pack)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    _refuse_unknown(args, [args.id])  # before torch is imported
    from tensorlings.render import exercise_view

    exercise_view(_console(), _pack_in(args).get(args.id))
    return 0


def cmd_hint(args: argparse.Namespace) -> int:
    _refuse_unknown(args, [args.id])  # before torch is imported (by progress)
    from tensorlings import progress

    pack = _pack_in(args)
    exercise = pack.get(args.id)
    store = progress.load(Path(args.dir), pack.name)
    entry = store.of(exercise.id)
    entry.hints_seen = min(entry.hints_seen + 1, len(exercise.hints))
    store.save()
    console = _console()
    for level, hint in enumerate(exercise.hints[: entry.hints_seen], start=1):
        console.print(f"[bold]Hint {level}/{len(exercise.hints)}[/]: {hint}")
    if entry.hints_seen < len(exercise.hints):
        here = "" if Path(args.dir) == Path(".") else f" --dir {args.dir}"
        console.print(
            f"[dim]Run `tensorlings hint {exercise.id}{pack.option}{here}` again for the next "
            "hint.[/]"
        )
    else:
        console.print(
            "[dim]That was the last hint. "
            f"`tensorlings solution {exercise.id}{pack.option}` shows the reference.[/]"
        )
    return 0


def cmd_solution(args: argparse.Namespace) -> int:
    from tensorlings.confirm import confirmed

    _refuse_unknown(args, [args.id])  # before torch is imported
    question = f"Reveal the reference solution of {args.id} (recorded in your progress)?"
    if not confirmed(question, args.yes, f"revealing the solution of {args.id}"):
        _console().print(f"Not revealed. `tensorlings hint {args.id}` gives the next hint.")
        return 0
    from tensorlings import progress, workbook

    pack = _pack_in(args)
    exercise = pack.get(args.id)
    store = progress.load(Path(args.dir), pack.name)
    store.of(exercise.id).solution_revealed = True
    store.save()
    console = _console()
    console.print(
        f"[bold]Reference solution for {exercise.id}[/] (recorded as revealed in your progress):"
    )
    # Code is never wrapped: a wrapped comment's tail would be copied as a line of code.
    code = workbook.ReferenceSource().code(exercise)
    console.print(code, highlight=False, markup=False, soft_wrap=True)
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from rich.table import Table

    from tensorlings import progress
    from tensorlings.render import MARKS

    pack = _pack_in(args)
    store = progress.load(Path(args.dir), pack.name)
    console = _console()
    if store.warning:
        console.print(f"[yellow]warning[/]: {store.warning}")
    table = Table(header_style="bold")
    for column in ("exercise", "state", "hints", "solution", "problems"):
        table.add_column(column, no_wrap=column == "exercise")
    done = 0
    for exercise in pack.exercises:
        entry = store.of(exercise.id)
        done += entry.status == Status.PASSED
        table.add_row(
            exercise.id,
            MARKS.get(entry.status, "") + " " + entry.status.replace("_", " "),
            f"{entry.hints_seen}/{len(exercise.hints)}",
            "revealed" if entry.solution_revealed else "",
            ", ".join(entry.problems),
        )
    console.print(table)
    console.print(f"{done} of {len(pack)} exercises pass.")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from tensorlings.watch import watch

    path = find_workbook(args.path, args.pack)
    return watch(
        path,
        catalogue=_pack(args, path),
        seed=args.seed,
        poll=args.poll,
        limits=_limits(args),
        once=args.once,
        strict=args.strict,
    )


def _bounded(kind: type, low: float, high: float, what: str) -> Any:
    """An argparse type: a number in [low, high], or a message saying what is allowed."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{what} must be between {_plain(low)} and {_plain(high)}, got {text}"
            )
        return value

    return parse


def _plain(number: float) -> str:
    """1048576 as 1,048,576 and 0.1 as 0.1: never 1.04858e+06."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-color",
        action="store_true",
        help="no colours (as NO_COLOR=1 does): differing cells are marked with *",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on edge cases beyond the sheet too (empty inputs, other dtypes, ...)",
    )
    parser.add_argument(
        "--seed",
        type=_bounded(int, 0, 2**31 - 1, "the seed"),
        default=0,
        help="seed for the random cases (default 0)",
    )
    parser.add_argument(
        "--timeout",
        type=_bounded(float, 0.1, 3600, "the timeout"),
        default=5.0,
        help="seconds per call of your function (default 5)",
    )
    parser.add_argument(
        "--memory-mb",
        type=_bounded(float, 64, 1024 * 1024, "the memory limit"),
        default=2048,
        help="extra memory your code may use (default 2048)",
    )


def add_pack_option(parser: argparse.ArgumentParser, text: str | None = None) -> None:
    parser.add_argument(
        "--pack",
        metavar="NAME|PATH",
        help=text
        or "the pack: an installed pack's name or a pack file or folder (default: the one the "
        "workbook was made from, else the sheet)",
    )


def build_parser(full_grade_parser: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tensorlings", description="Learn PyTorch tensor manipulation by doing it."
    )
    parser.add_argument("--version", action="version", version=f"tensorlings {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check a workbook (default: workbook.py here)")
    check.add_argument("path", nargs="?", help="workbook (.py or .ipynb) or a folder holding one")
    check.add_argument(
        "--exercise", action="append", metavar="ID", help="check only this exercise (repeatable)"
    )
    check.add_argument(
        "--json", action="store_true", help="print one JSON object (schema tensorlings.check/1)"
    )
    check.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    check.add_argument(
        "--reference", action="store_true", help="check the reference solutions (a self-test)"
    )
    check.add_argument(
        "-v", "--verbose", action="store_true", help="show passed exercises in full too"
    )
    _add_check_options(check)
    add_pack_option(check)
    check.set_defaults(func=cmd_check)

    init = sub.add_parser("init", help="write a new workbook")
    init.add_argument("dir", nargs="?", default=".", help="folder for the workbook (default: here)")
    init.add_argument(
        "--notebook", action="store_true", help="write workbook.ipynb instead of workbook.py"
    )
    init.add_argument("--force", action="store_true", help="overwrite existing workbook files")
    add_pack_option(init, "the pack to write the workbook of (default: the sheet)")
    init.set_defaults(func=cmd_init)

    for name, func, text in (
        ("hint", cmd_hint, "the next hint for an exercise"),
        ("solution", cmd_solution, "reveal the reference solution"),
        ("show", cmd_show, "show an exercise"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("id", help="exercise id, e.g. batched_softmax")
        command.add_argument("--dir", default=".", help="the workbook's folder (default: here)")
        if name == "solution":
            command.add_argument("--yes", action="store_true", help="reveal without asking")
        add_pack_option(command)
        command.set_defaults(func=func)

    from tensorlings.reset import add_reset_parser

    add_reset_parser(sub)

    for name, func, text in (
        ("list", cmd_list, "list sections and exercises"),
        ("progress", cmd_progress, "show your progress"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--dir", default=".", help="the workbook's folder (default: here)")
        add_pack_option(command)
        command.set_defaults(func=func)

    watch = sub.add_parser("watch", help="re-check on every save")
    watch.add_argument("path", nargs="?", help="workbook (default: workbook.py here)")
    watch.add_argument(
        "--poll", action="store_true", help="poll for changes instead of file events"
    )
    watch.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    _add_check_options(watch)
    add_pack_option(watch)
    watch.set_defaults(func=cmd_watch)

    from tensorlings.packs_cli import add_pack_parsers

    add_pack_parsers(sub)

    from tensorlings.gradescope.cli import add_gradescope_parser

    add_gradescope_parser(sub)

    if full_grade_parser:
        from tensorlings.grading.cli import add_grade_parser

        add_grade_parser(sub)
    else:  # grading's parser imports the grader: build it only when `grade` is asked for
        sub.add_parser("grade", help="grade many submissions (see `tensorlings grade --help`)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(full_grade_parser=bool(argv) and argv[0] == "grade")
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if getattr(args, "no_color", False):
        os.environ["NO_COLOR"] = "1"  # read by every console, watch's included
    try:
        return int(args.func(args))
    except TensorlingsError as error:
        _console(stderr=True).print(f"[red]error[/]: {error}", highlight=False)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
