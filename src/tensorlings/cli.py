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
from typing import Any

from tensorlings import __version__
from tensorlings.errors import TensorlingsError, WorkbookError

WORKBOOK_NAMES = ("workbook.py", "workbook.ipynb")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # FORCE_COLOR (as rich reads it) keeps colours when piped; NO_COLOR wins over it.
    forced = bool(os.environ.get("FORCE_COLOR"))
    plain = not (stream.isatty() or forced) or "NO_COLOR" in os.environ
    # No colour and no wrapping when piped: scripts and CI read these lines.
    return Console(stderr=stderr, highlight=False, no_color=plain, soft_wrap=plain)


def _workbook_in(folder: Path) -> Path | None:
    """workbook.py or workbook.ipynb in the folder; with both, the one saved last (and say so)."""
    found = [folder / name for name in WORKBOOK_NAMES if (folder / name).exists()]
    if not found:
        return None
    chosen = max(found, key=lambda p: p.stat().st_mtime)
    if len(found) > 1:
        place = "this folder" if folder == Path(".") else str(folder)
        _console(stderr=True).print(
            f"[yellow]note[/]: {place} holds both workbook.py and workbook.ipynb; checking "
            f"{chosen.name}, saved last. Give the path to check the other."
        )
    return chosen


def find_workbook(path: str | None) -> Path:
    """The workbook to check: the path given, or workbook.py / workbook.ipynb here."""
    candidate = Path(path) if path else Path(".")
    if candidate.is_dir():
        found = _workbook_in(candidate)
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

    try:
        path = None if args.reference else find_workbook(args.path)
    except WorkbookError as error:
        if not args.json:
            raise
        _print_unreadable(args, str(error))  # scripts asked for JSON: they get JSON
        return 2
    zygote = Zygote()  # starts importing torch in the worker while this process does too
    try:
        _check_device(args.device)
        from tensorlings.checker.check import check_path

        ids = _exercise_ids(args.exercise)
        with tempfile.TemporaryDirectory(prefix="tensorlings-ref-") as tmp:
            if args.reference:
                path = _write_reference(Path(tmp))
            assert path is not None
            report = check_path(
                path,
                seed=args.seed,
                device=args.device,
                limits=_limits(args),
                exercise_ids=ids,
                zygote=zygote,
            )
    finally:
        zygote.close()
    if args.strict:
        report = report.strict()
    newly_passed: frozenset[str] = frozenset()
    from tensorlings import catalogue

    every_id = [exercise.id for exercise in catalogue.exercises()]
    empty = None if args.reference else no_exercise_reason(path, report, every_id)
    if empty is not None:
        if args.json:
            print(json.dumps(report.to_json(), indent=1))
        raise WorkbookError(empty)
    if not args.reference:
        newly_passed = _record_progress(path, report)
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


def _exercise_ids(given: list[str] | None) -> list[str] | None:
    if not given:
        return None
    from tensorlings import catalogue

    return list(dict.fromkeys(catalogue.get(i).id for i in given))  # each once, in order


def _write_reference(folder: Path) -> Path:
    from tensorlings import workbook

    path = folder / "reference.py"
    path.write_text(workbook.to_py(workbook.reference_cells()), encoding="utf-8")
    return path


def _record_progress(path: Path, report: Any) -> frozenset[str]:
    """Record the check; the ids that pass now and did not before."""
    from tensorlings import progress

    before = progress.load(path.parent)
    passed_before = {key for key, value in before.exercises.items() if value.status == "passed"}
    for warning in progress.record(path, report):
        _console(stderr=True).print(f"[yellow]warning[/]: {warning}")
    return frozenset(r.id for r in report.exercises if r.status == "passed") - passed_before


def cmd_init(args: argparse.Namespace) -> int:
    from tensorlings import workbook

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
    cells = workbook.learner_cells(notebook=args.notebook)
    console = _console()
    kept = []
    for target, render in targets:
        if workbook.write_new(target, render(cells), args.force):
            console.print(f"wrote {target}")
        else:
            kept.append(target)
    for target in kept:
        console.print(
            f"[yellow]kept[/] {target}: it already exists and may hold your work "
            "(use --force to overwrite it)."
        )
    console.print(
        f"Next: open the workbook, write rearrange_1, then run `tensorlings check {targets[0][0]}`."
    )
    return 2 if kept and len(kept) == len(targets) else 0


def cmd_list(args: argparse.Namespace) -> int:
    from tensorlings import progress
    from tensorlings.render import exercise_list

    store = progress.load(Path(args.dir))
    exercise_list(_console(), {key: value.status for key, value in store.exercises.items()})
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from tensorlings import catalogue
    from tensorlings.render import exercise_view

    exercise_view(_console(), catalogue.get(args.id))
    return 0


def cmd_hint(args: argparse.Namespace) -> int:
    from tensorlings import catalogue, progress

    exercise = catalogue.get(args.id)
    store = progress.load(Path(args.dir))
    entry = store.of(exercise.id)
    entry.hints_seen = min(entry.hints_seen + 1, len(exercise.hints))
    store.save()
    console = _console()
    for level, hint in enumerate(exercise.hints[: entry.hints_seen], start=1):
        console.print(f"[bold]Hint {level}/{len(exercise.hints)}[/]: {hint}")
    if entry.hints_seen < len(exercise.hints):
        console.print(f"[dim]Run `tensorlings hint {exercise.id}` again for the next hint.[/]")
    else:
        console.print(
            "[dim]That was the last hint. "
            f"`tensorlings solution {exercise.id}` shows the reference.[/]"
        )
    return 0


def cmd_solution(args: argparse.Namespace) -> int:
    from tensorlings import catalogue, progress, workbook

    exercise = catalogue.get(args.id)
    store = progress.load(Path(args.dir))
    store.of(exercise.id).solution_revealed = True
    store.save()
    console = _console()
    console.print(
        f"[bold]Reference solution for {exercise.id}[/] (recorded as revealed in your progress):"
    )
    console.print(workbook.ReferenceSource().code(exercise), highlight=False, markup=False)
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from rich.table import Table

    from tensorlings import catalogue, progress
    from tensorlings.render import MARKS

    store = progress.load(Path(args.dir))
    console = _console()
    if store.warning:
        console.print(f"[yellow]warning[/]: {store.warning}")
    table = Table(header_style="bold")
    for column in ("exercise", "state", "hints", "solution", "problems"):
        table.add_column(column, no_wrap=column == "exercise")
    done = 0
    for exercise in catalogue.exercises():
        entry = store.of(exercise.id)
        done += entry.status == "passed"
        table.add_row(
            exercise.id,
            MARKS.get(entry.status, "") + " " + entry.status.replace("_", " "),
            f"{entry.hints_seen}/{len(exercise.hints)}",
            "revealed" if entry.solution_revealed else "",
            ", ".join(entry.problems),
        )
    console.print(table)
    console.print(f"{done} of {len(catalogue.exercises())} exercises pass.")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from tensorlings.watch import watch

    return watch(
        find_workbook(args.path),
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
    check.set_defaults(func=cmd_check)

    init = sub.add_parser("init", help="write a new workbook")
    init.add_argument("dir", nargs="?", default=".", help="folder for the workbook (default: here)")
    init.add_argument(
        "--notebook", action="store_true", help="write workbook.ipynb instead of workbook.py"
    )
    init.add_argument("--force", action="store_true", help="overwrite existing workbook files")
    init.set_defaults(func=cmd_init)

    for name, func, text in (
        ("hint", cmd_hint, "the next hint for an exercise"),
        ("solution", cmd_solution, "reveal the reference solution"),
        ("show", cmd_show, "show an exercise"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("id", help="exercise id, e.g. batched_softmax")
        command.add_argument("--dir", default=".", help="the workbook's folder (default: here)")
        command.set_defaults(func=func)

    for name, func, text in (
        ("list", cmd_list, "list sections and exercises"),
        ("progress", cmd_progress, "show your progress"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--dir", default=".", help="the workbook's folder (default: here)")
        command.set_defaults(func=func)

    watch = sub.add_parser("watch", help="re-check on every save")
    watch.add_argument("path", nargs="?", help="workbook (default: workbook.py here)")
    watch.add_argument(
        "--poll", action="store_true", help="poll for changes instead of file events"
    )
    watch.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    _add_check_options(watch)
    watch.set_defaults(func=cmd_watch)

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
