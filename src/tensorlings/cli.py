"""The `tensorlings` command: a thin layer that parses arguments, prints, and maps errors to exit
codes. The learner's workflow behind it (which workbook, which pack, what a check records, what
hint, solution and progress show) is in `learner.py`, shared with `watch` and the notebook.

Exit codes: 0 nothing failed; 1 an exercise failed; 2 the file could not be checked, or the
command was used wrongly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tensorlings import fast_exit, learner
from tensorlings.cli_common import add_pack_option, find_workbook, pack_for
from tensorlings.cli_common import console as _console
from tensorlings.errors import PackError, TensorlingsError, WorkbookError

if TYPE_CHECKING:
    from tensorlings.catalogue import Catalogue

__all__ = ["add_pack_option", "build_parser", "find_workbook", "main"]


def _pack(args: argparse.Namespace, workbook: Path | None) -> Catalogue:
    return pack_for(getattr(args, "pack", None), workbook)


def _pack_in(args: argparse.Namespace) -> Catalogue:
    """For the commands given a folder (--dir): the pack of the workbook there, if any."""
    folder = Path(args.dir)
    return _pack(args, learner.workbook_beside(folder) if folder.is_dir() else None)


def _refuse_unknown(args: argparse.Namespace, ids: list[str] | None) -> None:
    place = getattr(args, "dir", None) or getattr(args, "path", None) or "."
    learner.refuse_unknown(ids, getattr(args, "pack", None), Path(place))


def cmd_check(args: argparse.Namespace) -> int:
    _refuse_unknown(args, args.exercise)  # a typo answered before torch or a worker starts
    with learner.open_checker() as zygote:
        try:
            path = None if args.reference else find_workbook(args.path, args.pack)
            pack = _pack(args, path)
        except (WorkbookError, PackError) as error:
            if not args.json:
                raise
            # Scripts asked for JSON: they get JSON.
            failed = learner.unreadable_report(
                str(args.path or "."), args.seed, args.device, str(error)
            )
            print(json.dumps(failed.to_json(), indent=1))
            return 2
        report = learner.check_workbook(
            path,
            pack,
            zygote=zygote,
            device=args.device,
            seed=args.seed,
            limits=learner.limits(args.timeout, args.memory_mb),
            exercises=args.exercise,
        )
    if args.strict:
        report = report.strict()
    newly_passed: frozenset[str] = frozenset()
    if path is not None:
        empty = learner.not_a_workbook(path, report, pack)
        if empty is not None:
            if args.json:
                print(json.dumps(report.to_json(), indent=1))
            raise WorkbookError(empty)
        recorded = learner.record_check(path, report, pack.name)
        for warning in recorded.warnings:
            _console(stderr=True).print(f"[yellow]warning[/]: {warning}")
        newly_passed = recorded.newly_passed
    if args.json:
        print(json.dumps(report.to_json(), indent=1))
    else:
        from tensorlings.views.console import report_view

        report_view(_console(), report, verbose=args.verbose, explain=newly_passed)
    return report.exit_code


def cmd_init(args: argparse.Namespace) -> int:
    from tensorlings import packs

    pack = packs.load(args.pack)
    written = learner.write_workbook(
        Path(args.dir), pack, args.pack, notebook=args.notebook, force=args.force
    )
    console, target = _console(), written.target
    if written.written:
        console.print(f"{'overwrote (--force)' if written.existed else 'wrote'} {target}")
    else:
        console.print(
            f"[yellow]kept[/] {target}: it already exists and may hold your work "
            "(use --force to overwrite it)."
        )
    first = pack.exercises[0].id if pack.exercises else "the first function"
    given = f" --pack {args.pack}" if pack.path else ""  # a header never chooses a file to import
    console.print(
        f"Next: open the workbook, write {first}, then run `tensorlings check {target}{given}`."
    )
    return 0 if written.written else 2


def cmd_list(args: argparse.Namespace) -> int:
    from tensorlings.views.console import exercise_list

    pack = _pack_in(args)
    exercise_list(_console(), learner.statuses(Path(args.dir), pack), pack)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    _refuse_unknown(args, [args.id])  # before torch is imported
    from tensorlings.views.console import exercise_view

    exercise_view(_console(), _pack_in(args).get(args.id))
    return 0


def cmd_hint(args: argparse.Namespace) -> int:
    _refuse_unknown(args, [args.id])  # before torch is imported (by progress)
    console = _console()
    for line in learner.next_hint(args.dir, _pack_in(args), args.id):
        console.print(line)
    return 0


def cmd_solution(args: argparse.Namespace) -> int:
    from tensorlings.confirm import confirmed

    _refuse_unknown(args, [args.id])  # before torch is imported
    question = f"Reveal the reference solution of {args.id} (recorded in your progress)?"
    if not confirmed(question, args.yes, f"revealing the solution of {args.id}"):
        _console().print(f"Not revealed. `tensorlings hint {args.id}` gives the next hint.")
        return 0
    exercise, code = learner.reveal_solution(Path(args.dir), _pack_in(args), args.id)
    console = _console()
    console.print(
        f"[bold]Reference solution for {exercise.id}[/] (recorded as revealed in your progress):"
    )
    # Code is never wrapped: a wrapped comment's tail would be copied as a line of code.
    console.print(code, highlight=False, markup=False, soft_wrap=True)
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from rich.table import Table

    view = learner.progress_view(Path(args.dir), _pack_in(args))
    console = _console()
    if view.warning:
        console.print(f"[yellow]warning[/]: {view.warning}")
    table = Table(header_style="bold")
    for column in learner.PROGRESS_COLUMNS:
        table.add_column(column, no_wrap=column == "exercise")
    for row in view.rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"{view.passed} of {view.total} exercises pass.")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from tensorlings.watch import watch

    path = find_workbook(args.path, args.pack)
    return watch(
        path,
        catalogue=_pack(args, path),
        seed=args.seed,
        poll=args.poll,
        limits=learner.limits(args.timeout, args.memory_mb),
        once=args.once,
        strict=args.strict,
    )


def build_parser(full_grade_parser: bool = True) -> argparse.ArgumentParser:
    from tensorlings.cli_parser import build_parser as build

    return build(HANDLERS, full_grade_parser)


HANDLERS = {
    "check": cmd_check,
    "init": cmd_init,
    "hint": cmd_hint,
    "solution": cmd_solution,
    "show": cmd_show,
    "list": cmd_list,
    "progress": cmd_progress,
    "watch": cmd_watch,
}


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


def entry() -> NoReturn:
    """The console script: the command, then an exit that skips the interpreter's teardown
    (fast_exit.py). Tests call main() itself."""
    fast_exit.leave(main())


if __name__ == "__main__":
    entry()
