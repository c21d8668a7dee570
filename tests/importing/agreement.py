"""Measure how often an imported pack gives the built-in pack's verdicts (or an instructor's).

Not a test (it runs the checker on every learner file, minutes of work): the numbers for
docs/importing.md and the import report are reproduced with

    .venv/bin/python tests/importing/agreement.py PACKDIR [FILES...] [--expected JSON]

Without FILES it checks tests/messy/corpus and tests/checker/seed_corpus. Without --expected
the baseline is the built-in sheet pack, run the same way; with it, a JSON file mapping each
file's name to {exercise id: "passed" | "failed"} (an instructor's verdicts).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CORPORA = ("tests/messy/corpus", "tests/checker/seed_corpus")


def verdicts(path: Path, pack: str | None) -> dict[str, str]:
    command = [sys.executable, "-m", "tensorlings", "check", str(path), "--json", "--seed", "0"]
    if pack:
        command += ["--pack", pack]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {}
    return {e["id"]: e["status"] for e in data.get("exercises", [])}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack")
    parser.add_argument("files", nargs="*")
    parser.add_argument("--expected", help="JSON: {file name: {id: passed|failed}}")
    parser.add_argument(
        "--baseline-dir",
        help="a snapshot of the built-in's verdicts (CORPUS__FILE.json files, as the "
        "project's verdict snapshots name them) instead of running the built-in pack again",
    )
    args = parser.parse_args()
    files = [Path(f) for f in args.files] or sorted(
        p for d in CORPORA for p in Path(d).iterdir() if p.suffix in (".py", ".ipynb")
    )
    expected = json.loads(Path(args.expected).read_text()) if args.expected else None
    agree = total = attempted_agree = attempted = 0
    for path in files:
        mine = verdicts(path, args.pack)
        if expected:
            base = expected[path.name]
        elif args.baseline_dir:
            snapshot = json.loads(
                Path(args.baseline_dir, f"{path.parent.name}__{path.name}.json").read_text()
            )
            base = {e["id"]: e["status"] for e in snapshot.get("exercises", [])}
        else:
            base = verdicts(path, None)
        for exercise, status in base.items():
            if exercise not in mine or exercise.startswith("as_strided"):
                continue  # questions and puzzles are not functions
            same = (mine[exercise] == "passed") == (status == "passed")
            total += 1
            agree += same
            if status != "not_started" or mine[exercise] != "not_started":
                attempted += 1
                attempted_agree += same
            if not same:
                print(
                    f"differs: {path.name} {exercise}: imported {mine[exercise]}, baseline {status}"
                )
    print(f"functions agreeing: {agree}/{total} = {agree / max(total, 1):.1%}")
    print(
        f"attempted ones agreeing: {attempted_agree}/{attempted} = "
        f"{attempted_agree / max(attempted, 1):.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
