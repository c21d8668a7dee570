"""The `grade` command line: arguments in, GradingErrors turned into messages and exit codes.

The exit codes a CI script can rely on are listed once, in EPILOG (shown by --help).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tensorlings.checker.sandbox import Limits
from tensorlings.errors import TensorlingsError
from tensorlings.grading.checking import CheckSettings
from tensorlings.grading.config import load_config
from tensorlings.grading.grade import GradeSummary, default_jobs, grade
from tensorlings.grading.progress import for_stream, plural
from tensorlings.grading.safe_text import safe_text
from tensorlings.grading.store import RESULTS_FOLDER

EPILOG = """\
exit codes:
  0    all submissions graded, no exercise failed in any of them
  1    all submissions graded, some exercise failed (or a workbook could not be checked)
  2    usage error: nothing to grade, a path that does not exist, a bad --out or --config,
       --dask without dask installed or with no scheduler there, no worker able to start,
       no full sandbox here and no --allow-weak-isolation
  130  interrupted; finished results are kept: run the same command again to resume
"""


def add_grade_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `grade` to the tool's subcommands; its handler is `run_grade` (set as `func`)."""
    parser = subparsers.add_parser(
        "grade",
        help="check a class's workbooks in parallel and write grade reports",
        description=(
            "Check each submission exactly as `tensorlings check` does, in parallel, and\n"
            f"write DIR/{RESULTS_FOLDER}/<submission>.json as each completes, then grades.csv,\n"
            "junit.xml, report.html and class.json. Running the same command again checks only\n"
            "the submissions that are new or changed since the last run (or whose stored\n"
            "result fails its signature check)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "submissions",
        nargs="+",
        metavar="SUBMISSION",
        help="a workbook (.py or .ipynb), or a folder holding one",
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="folder for results and reports"
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        default=None,
        metavar="N",
        help=f"workbooks checked at once (default: the CPUs available, {default_jobs()} here)",
    )
    parser.add_argument(
        "--gradescope",
        action="store_true",
        help="also write DIR/gradescope/<submission>/results.json in Gradescope's format",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="send the checks to this dask.distributed scheduler, or `local` for a cluster on "
        "this machine (needs tensorlings[dask])",
    )
    _add_grading_options(parser)
    _add_check_options(parser)
    parser.set_defaults(func=run_grade)
    return parser


def _add_grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        default=None,
        help="grading config: points per exercise, what a note costs, Gradescope visibility",
    )
    parser.add_argument(
        "--timing-advice",
        action="store_true",
        help="measure passing solutions' speed and note those far slower than the reference "
        "(off by default: timing depends on the machine; never scored)",
    )
    parser.add_argument(
        "--allow-weak-isolation",
        action="store_true",
        default=None,
        help="grade even without the full sandbox (the reports then say so)",
    )


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    """The options of `tensorlings check`, with its defaults: a grade is that check."""
    parser.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="seed for the random cases (default: a secret one drawn for this --out folder on "
        "its first run, kept for the runs that resume it, recorded in every result)",
    )
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="seconds per call of a function (default 5)"
    )
    parser.add_argument(
        "--memory-mb", type=float, default=2048, help="extra memory code may use (default 2048)"
    )
    parser.add_argument("--device", default="cpu", help="device to check on (default cpu)")
    parser.add_argument(
        "--pack",
        metavar="NAME|PATH",
        help="the pack the workbooks were made from (default: each workbook's header, "
        "else the sheet)",
    )


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to 2**31 - 1, not {text!r}"
        )
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def run_grade(args: argparse.Namespace) -> int:
    """Run the command; prints a summary on stdout, errors and progress on stderr."""
    try:
        summary = grade(
            args.submissions,
            args.out,
            jobs=args.jobs,
            gradescope=args.gradescope,
            dask_address=args.dask,
            progress=for_stream(sys.stderr),
            settings=settings(args),
            seed=args.seed,
            config=load_config(args.config),
            allow_weak_isolation=args.allow_weak_isolation,
        )
    except TensorlingsError as error:
        print(f"tensorlings grade: {safe_text(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:  # before or after the checks: nothing half-written to lose
        print("tensorlings grade: interrupted", file=sys.stderr)
        return 130
    print(describe(summary))
    return summary.exit_code


def settings(args: argparse.Namespace) -> CheckSettings:
    limits = Limits(exercise_seconds=args.timeout, memory_bytes=int(args.memory_mb * 1024**2))
    pack = getattr(args, "pack", None)
    timing = bool(getattr(args, "timing_advice", False))
    if pack is None:
        return CheckSettings(device=args.device, limits=limits, timing_advice=timing)
    from tensorlings import packs

    loaded = packs.load(pack)  # a wrong --pack fails here, before anything is checked
    key = f"{loaded.name} {loaded.version}"
    return CheckSettings(
        device=args.device,
        limits=limits,
        pack=loaded.path or pack,
        pack_key=key,
        timing_advice=timing,
    )


def describe(summary: GradeSummary) -> str:
    """The closing lines: what was graded, what failed, where the reports are."""
    reused = f", {summary.unchanged} unchanged since the last run" if summary.unchanged else ""
    clean = summary.submissions - summary.failed - summary.could_not_check
    passed = clean - summary.attempted_nothing
    lines = [
        f"Graded {plural(summary.submissions, 'submission')} into {summary.out_dir} "
        f"({summary.checked} checked now{reused}) in {summary.seconds:.1f} s.",
        f"{passed} with no failed exercise, {summary.failed} with a failed exercise, "
        f"{summary.attempted_nothing} with nothing attempted, "
        f"{summary.could_not_check} that could not be checked.",
        f"Seed {summary.seed} (give --seed {summary.seed} to repeat these checks elsewhere).",
        "Reports: " + ", ".join(str(path) for path in summary.reports[:4]),
    ]
    if summary.flagged:
        lines.insert(2, f"{plural(summary.flagged, 'odd upload')} flagged (see class.json).")
    if summary.rejected:
        one = summary.rejected == 1
        lines.insert(
            2,
            f"{plural(summary.rejected, 'stored result')} failed validation "
            f"({'it was' if one else 'they were'} edited or damaged), so "
            f"{'it was' if one else 'they were'} checked again.",
        )
    if summary.weak_isolation:
        lines.append(
            "WARNING: graded without the full sandbox (--allow-weak-isolation); the reports say so."
        )
    return safe_text("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m tensorlings.grading ...`: the grade command on its own."""
    parser = argparse.ArgumentParser(prog="tensorlings")
    add_grade_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["grade", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))
