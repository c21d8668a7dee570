"""`tensorlings gradescope build`: arguments in, the autograder zip out."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def add_gradescope_parser(subparsers: Any) -> None:
    """Add `gradescope build` to the tool's subcommands."""
    gradescope = subparsers.add_parser("gradescope", help="Gradescope: build the autograder zip")
    actions = gradescope.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build", help="write the autograder zip (setup.sh, run_autograder, pinned requirements)"
    )
    build.add_argument(
        "--out", default="autograder.zip", help="the zip to write (default autograder.zip)"
    )
    build.add_argument(
        "--config", type=Path, default=None, metavar="TOML", help="grading config to include"
    )
    build.add_argument(
        "--allow-weak-isolation",
        action="store_true",
        help="check submissions even where the full sandbox is not available",
    )
    build.add_argument(
        "--timeout",
        type=_within(0.1, 3600),
        default=5.0,
        help="seconds per call of a function (default 5)",
    )
    build.add_argument(
        "--memory-mb",
        type=_within(64, 1024 * 1024),
        default=2048,
        help="extra memory the code may use (default 2048)",
    )
    build.set_defaults(func=run_build)


def _within(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def run_build(args: argparse.Namespace) -> int:
    from tensorlings.gradescope.build import build_autograder

    out = build_autograder(
        Path(args.out),
        config=args.config,
        allow_weak_isolation=args.allow_weak_isolation,
        timeout=args.timeout,
        memory_mb=args.memory_mb,
    )
    print(f"wrote {out}")
    print(
        "Next: in Gradescope, create a Programming Assignment, open Configure Autograder, "
        f"upload {out.name} and let it build; then test it with a workbook "
        "(see docs/instructors/gradescope.md)."
    )
    return 0
