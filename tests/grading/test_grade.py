"""`tensorlings grade` end to end: real checks of a small class, resuming, exit codes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from grading_helpers import GOOD, grades_beside, write_class

from tensorlings.checker.results import CheckReport
from tensorlings.grading.cli import main
from tensorlings.grading.grade import GradeSummary, grade

pytestmark = pytest.mark.slow

NAMES = ["broken", "empty", "erin", "exits", "good", "wrong"]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str | Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit:  # argparse's own usage errors
            code = int(exit.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Run]:
    folder = tmp_path_factory.mktemp("class")
    paths = write_class(folder / "submissions")
    out = folder / "grades"
    run = run_cli(*paths.values(), "--out", out, "--jobs", "2", "--gradescope")
    return folder / "submissions", out, run


def results(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "results").glob("*.json"))}


def test_every_submission_gets_a_result(graded_class: tuple[Path, Path, Run]) -> None:
    _, out, run = graded_class
    assert sorted(results(out)) == NAMES
    assert run.code == 1  # some exercise failed
    lines = run.out.splitlines()
    assert lines[1:3] == [
        "2 with no failed exercise, 2 with a failed exercise, 0 with nothing attempted, "
        "2 that could not be checked.",
        "1 odd upload flagged (see class.json).",
    ]
    seed = json.loads((out / "class.json").read_text())["seed"]
    assert lines[3] == f"Seed {seed} (give --seed {seed} to repeat these checks elsewhere)."
    assert lines[4] == (
        f"Reports: {out}/grades.csv, {out}/junit.xml, {out}/report.html, {out}/class.json"
    )
    assert re.search(r"^\[\d/6\] wrong: 1 passed, 1 failed, 34 not started$", run.err, re.M)


def test_folders_and_broken_files_are_results_not_crashes(
    graded_class: tuple[Path, Path, Run],
) -> None:
    submissions, out, _ = graded_class
    found = results(out)
    assert found["empty"]["error"] == {
        "kind": "unreadable",
        "message": f"the folder {str(submissions / 'empty')!r} holds no workbook (.py or .ipynb); "
        "put the learner's workbook in it",
        "line": None,
    }
    assert found["broken"]["error"]["kind"] == "syntax_error"
    assert found["erin"]["file"] == str(submissions / "erin" / "workbook.py")
    assert found["erin"]["grading"]["source"] == str(submissions / "erin")


def test_a_workbook_that_ends_its_process_is_graded_like_the_rest(
    graded_class: tuple[Path, Path, Run],
) -> None:
    exercises = {e["id"]: e for e in results(graded_class[1])["exits"]["exercises"]}
    assert exercises["rearrange_1"]["status"] == "passed"
    assert exercises["rearrange_3"]["status"] == "failed"
    assert "crashed" in [p["kind"] for p in exercises["rearrange_3"]["problems"]]


def test_csv_junit_and_html_agree_with_the_json_results(
    graded_class: tuple[Path, Path, Run],
) -> None:
    out = graded_class[1]
    found = {name: CheckReport.from_json(data) for name, data in results(out).items()}
    rows = {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}
    suites = {s.get("name"): s for s in ET.parse(out / "junit.xml").getroot()}
    page = (out / "report.html").read_text()
    for name, report in found.items():
        counts = report.summary()
        assert {k: int(rows[name][k]) for k in counts} == counts
        assert all(rows[name][r.id] == r.status for r in report.exercises)
        assert suites[name].get("failures") == str(counts["failed"])
        assert suites[name].get("skipped") == str(counts["not_started"])
        row = rf'<tr data-submission="{name}"[^>]* data-passed="{counts["passed"]}"'
        assert re.search(row, page)
    passed = sum(r.summary()["passed"] for r in found.values())
    assert sum(int(r["passed"]) for r in rows.values()) == passed


def test_gradescope_results_are_written_per_submission(
    graded_class: tuple[Path, Path, Run],
) -> None:
    out = graded_class[1]
    for name, data in results(out).items():
        gradescope = json.loads((out / "gradescope" / name / "results.json").read_text())
        passed = sum(1 for e in data["exercises"] if e["status"] == "passed")
        assert gradescope["score"] == passed
        assert len(gradescope["tests"]) == 36


def test_running_again_checks_only_what_is_missing_or_changed(
    graded_class: tuple[Path, Path, Run], tmp_path: Path
) -> None:
    submissions, out, _ = graded_class
    shutil.copytree(submissions, tmp_path / "submissions")
    shutil.copytree(out, grades_beside(tmp_path))
    (grades_beside(tmp_path) / "results" / "erin.json").unlink()  # as if killed before erin
    (tmp_path / "submissions" / "wrong.py").write_text(GOOD)  # the learner fixed it
    kept = {n: (grades_beside(tmp_path) / "results" / f"{n}.json").stat().st_ino for n in ("good",)}
    again = grade(
        [tmp_path / "submissions" / f for f in ("broken.py", "empty", "erin", "exits.py",
                                                "good.py", "wrong.py")],
        grades_beside(tmp_path),
        jobs=1,
    )  # fmt: skip
    assert (again.checked, again.unchanged) == (2, 4)
    assert (grades_beside(tmp_path) / "results" / "good.json").stat().st_ino == kept["good"]
    fixed = json.loads((grades_beside(tmp_path) / "results" / "wrong.json").read_text())
    assert fixed["summary"]["failed"] == 0
    assert sorted(results(grades_beside(tmp_path))) == NAMES


def test_cli_exits_0_when_no_exercise_failed(tmp_path: Path) -> None:
    (tmp_path / "ada.py").write_text(GOOD)
    run = run_cli(tmp_path / "ada.py", "--out", grades_beside(tmp_path), "--jobs", "1")
    assert run.code == 0, run.err
    assert run.out.startswith(
        f"Graded 1 submission into {grades_beside(tmp_path)} (1 checked now) in"
    )


def test_cli_exits_2_for_a_submission_that_does_not_exist(tmp_path: Path) -> None:
    run = run_cli(tmp_path / "nobody.py", "--out", grades_beside(tmp_path))
    assert run.code == 2
    assert run.err == (
        f"tensorlings grade: {str(tmp_path / 'nobody.py')!r} does not exist: "
        "give workbooks (.py, .ipynb) or folders that hold one\n"
    )
    assert not (grades_beside(tmp_path)).exists()


def test_cli_exits_2_for_an_out_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "ada.py").write_text(GOOD)
    (grades_beside(tmp_path)).write_text("")
    run = run_cli(tmp_path / "ada.py", "--out", grades_beside(tmp_path))
    assert run.code == 2
    assert run.err == (
        f"tensorlings grade: --out {str(grades_beside(tmp_path))!r} is a file, not a folder; "
        "give a new or existing folder for the results\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "grades"], "the following arguments are required: SUBMISSION"),
        (["ada.py"], "the following arguments are required: --out"),
        (["ada.py", "--out", "g", "--jobs", "0"], "must be a whole number of at least 1, not '0'"),
    ],
)
def test_cli_exits_2_for_bad_arguments(argv: list[str], message: str) -> None:
    run = run_cli(*argv)
    assert run.code == 2
    assert message in run.err


def test_exit_code_says_whether_anything_failed() -> None:
    def summary(failed: int, could_not_check: int) -> GradeSummary:
        return GradeSummary(Path("g"), 3, 3, 0, failed, could_not_check, 1.0, ())

    assert summary(0, 0).exit_code == 0
    assert summary(1, 0).exit_code == 1
    assert summary(0, 1).exit_code == 1


@pytest.mark.parametrize(
    ("rejected", "line"),
    [
        (1, "1 stored result failed validation (it was edited or damaged), so it was "
            "checked again."),
        (3, "3 stored results failed validation (they were edited or damaged), so they were "
            "checked again."),
    ],
)  # fmt: skip
def test_the_closing_lines_count_rejected_results_in_a_plain_sentence(
    rejected: int, line: str
) -> None:
    from tensorlings.grading.cli import describe

    summary = GradeSummary(Path("g"), 3, 3, 0, 0, 0, 1.0, (), rejected=rejected)
    assert describe(summary).splitlines()[2] == line
