"""What every command module shares: the console it prints to, the workbook and pack a command
works on (with the notes about that choice printed), and the options several commands take.
Argument parsing and printing only; the command modules never import one another."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensorlings import learner
from tensorlings.worker import heap

if TYPE_CHECKING:
    from tensorlings.catalogue import Catalogue


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # FORCE_COLOR (as rich reads it) keeps colours when piped; NO_COLOR wins over it.
    forced = bool(os.environ.get("FORCE_COLOR"))
    plain = not (stream.isatty() or forced) or "NO_COLOR" in os.environ
    # No colour and no wrapping when piped (scripts and CI read these lines), unless COLUMNS
    # says how wide the reader's screen is: then every line fits it.
    unwrapped = plain and not os.environ.get("COLUMNS", "").isdigit()
    return Console(stderr=stderr, highlight=False, no_color=plain, soft_wrap=unwrapped)


def note(message: str) -> None:
    """A note on stderr (a choice made for the learner: which workbook, which pack)."""
    console(stderr=True).print(f"[yellow]note[/]: {message}", highlight=False)


def find_workbook(path: str | None, pack: str | None = None) -> Path:
    """The workbook to check; with two in the folder, a note says which and why."""
    from rich.markup import escape

    found = learner.find_workbook(path, pack)
    if found.note is not None:
        note(f"{escape(found.note)} Give the path to check the other.")
    return found.path


def pack_for(spec: str | None, workbook: Path | None) -> Catalogue:
    """The pack a command works with; notes about the choice go to stderr."""
    with heap.kept_for_good():  # loading the pack imports torch
        chosen = learner.choose_pack(spec, workbook)
    for message in chosen.notes:
        note(message)
    return chosen.catalogue


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


def add_check_options(parser: argparse.ArgumentParser) -> None:
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
