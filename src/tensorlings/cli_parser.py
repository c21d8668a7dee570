"""The `tensorlings` command's argument parser: every command, its options and its help. Each
command's function is given by `cli.py` (`handlers`), so this module imports no command."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from typing import NoReturn

from tensorlings.cli_common import add_check_options, add_pack_option
from tensorlings.version import __version__

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose error line is wrapped to the terminal as its usage lines are
    (argparse wraps usage and help, never the error: `--seed 99999999999` gave 111 columns)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        width = max(shutil.get_terminal_size().columns, 20)
        text = f"{self.prog}: error: {message}"
        self.exit(2, textwrap.fill(text, width, break_on_hyphens=False) + "\n")


def build_parser(
    handlers: Mapping[str, Handler], full_grade_parser: bool = True
) -> argparse.ArgumentParser:
    parser = _Parser(
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
    add_check_options(check)
    add_pack_option(check)
    check.set_defaults(func=handlers["check"])

    init = sub.add_parser("init", help="write a new workbook")
    init.add_argument("dir", nargs="?", default=".", help="folder for the workbook (default: here)")
    init.add_argument(
        "--notebook", action="store_true", help="write workbook.ipynb instead of workbook.py"
    )
    init.add_argument("--force", action="store_true", help="overwrite existing workbook files")
    add_pack_option(init, "the pack to write the workbook of (default: the sheet)")
    init.set_defaults(func=handlers["init"])

    for name, text in (
        ("hint", "the next hint for an exercise"),
        ("solution", "reveal the reference solution"),
        ("show", "show an exercise"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("id", help="exercise id (`tensorlings list` shows them)")
        command.add_argument("--dir", default=".", help="the workbook's folder (default: here)")
        if name == "solution":
            command.add_argument("--yes", action="store_true", help="reveal without asking")
        add_pack_option(command)
        command.set_defaults(func=handlers[name])

    from tensorlings.reset import add_reset_parser

    add_reset_parser(sub)

    for name, text in (
        ("list", "list sections and exercises"),
        ("progress", "show your progress"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--dir", default=".", help="the workbook's folder (default: here)")
        add_pack_option(command)
        command.set_defaults(func=handlers[name])

    watch = sub.add_parser("watch", help="re-check on every save")
    watch.add_argument("path", nargs="?", help="workbook (default: workbook.py here)")
    watch.add_argument(
        "--poll", action="store_true", help="poll for changes instead of file events"
    )
    watch.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    add_check_options(watch)
    add_pack_option(watch)
    watch.set_defaults(func=handlers["watch"])

    from tensorlings.authoring.cli import add_pack_parsers
    from tensorlings.gradescope.cli import add_gradescope_parser

    add_pack_parsers(sub)
    add_gradescope_parser(sub)
    if full_grade_parser:
        from tensorlings.grading.cli import add_grade_parser

        add_grade_parser(sub)
    else:  # grading's parser imports the grader: build it only when `grade` is asked for
        sub.add_parser("grade", help="grade many submissions (see `tensorlings grade --help`)")
    return parser
