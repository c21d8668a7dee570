"""What Gradescope runs for each submission: check it, score it, write results.json.

    python -m tensorlings.gradescope.autograder --root /autograder

Reads `source/settings.json` and `source/grading.toml` (written by `tensorlings gradescope
build`), checks the workbook in `submission/` exactly as `tensorlings grade` does, with a fresh
secret seed, and writes `results/results.json` in Gradescope's format. It always writes a
result, also when the upload is odd or the checker fails, so a student never sees a bare error.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tensorlings import files
from tensorlings.checker.results import CheckReport
from tensorlings.checker.sandbox import Limits
from tensorlings.grading.checking import CheckSettings, ZygoteHolder, check_one
from tensorlings.grading.config import GradingConfig, load_config
from tensorlings.grading.flags import workbook_flag
from tensorlings.grading.isolation import class_isolation, is_full
from tensorlings.grading.model import ClassContext, Graded, error_report
from tensorlings.grading.reports.gradescope import gradescope_results
from tensorlings.grading.safe_text import escaped
from tensorlings.grading.submissions import find_workbook, workbook_choice

REFUSED = (
    "The autograder could not start its full sandbox on Gradescope's machine, and it was "
    "built without --allow-weak-isolation, so your work was not checked. Your instructor "
    "has been told; this is not a problem with your submission."
)


def exercises() -> list[tuple[str, str]]:
    from tensorlings import catalogue

    return [(e.id, e.section) for e in catalogue.exercises()]


def grade_submission(root: Path) -> dict[str, Any]:
    """The results.json object for the submission in root/submission."""
    source = root / "source"
    settings = _settings(source)
    config_path = source / "grading.toml"
    config = load_config(config_path) if config_path.exists() else GradingConfig()
    seed = secrets.randbelow(2**31)
    check = CheckSettings(
        seed=seed,
        limits=Limits(
            exercise_seconds=float(settings.get("timeout", 5.0)),
            memory_bytes=int(float(settings.get("memory_mb", 2048)) * 1024**2),
        ),
        timing_advice=config.timing_advice,
    )
    allowed = bool(settings.get("allow_weak_isolation", False))
    workbook, why, flag = find_workbook(root / "submission")
    if workbook is None:
        report = error_report("submission", "unreadable", why or "no workbook", seed=seed,
                              device="cpu")  # fmt: skip
    else:
        data = check_one(ZygoteHolder(), workbook, check)
        report = CheckReport.from_json(escaped(data))
        if report.error is None and not is_full(report.isolation) and not allowed:
            return _refused(report)
        content = _bytes(workbook)
        notebook = workbook.suffix.lower() == ".ipynb"
        flag = workbook_flag(content, notebook=notebook, report=report, exercise_ids=())
    choice = workbook_choice(root / "submission") if workbook is not None else None
    graded = Graded("submission", report, flag, choice)
    context = ClassContext(config=config, seed=seed, isolation=class_isolation([graded], allowed))
    return gradescope_results(graded, exercises(), context)


def _settings(source: Path) -> dict[str, Any]:
    try:
        data = json.loads((source / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _bytes(path: Path) -> bytes | None:
    try:
        return files.read_bytes(path)
    except files.UnreadableFile:
        return None


def _refused(report: CheckReport) -> dict[str, Any]:
    return {
        "score": 0.0,
        "output": REFUSED,
        "stdout_visibility": "hidden",
        "extra_data": {"isolation": dict(report.isolation)},
        "tests": [],
    }


def _failed(error: BaseException) -> dict[str, Any]:
    return {
        "score": 0.0,
        "output": (
            "The autograder itself failed on this submission (a bug in tensorlings, not in "
            f"your work): {type(error).__name__}. Your instructor can see the details."
        ),
        "stdout_visibility": "hidden",
        "tests": [],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tensorlings.gradescope.autograder")
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    try:
        results = grade_submission(args.root)
    except Exception as error:  # the student still gets a result; the instructor the trace
        traceback.print_exc()
        results = _failed(error)
    out = args.root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"score {results.get('score')}; {results.get('output', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
