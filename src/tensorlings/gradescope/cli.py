"""`tensorlings gradescope build`: arguments in, the autograder zip out."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def add_gradescope_parser(
    subparsers: Any, add_check_options: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add `gradescope build` to the tool's subcommands (with check's --timeout, --memory-mb)."""
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
    add_check_options(build)
    build.set_defaults(func=run_build)


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
        "(see `Gradescope in one step` in the README)."
    )
    return 0
