"""Grading a folder with both workbook.py and workbook.ipynb: the one with the work is graded,
and every report (CSV, class.json, HTML, JUnit, the stored result, Gradescope) says which
file was graded, which was not, and why."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from grading_helpers import exercise, grades_beside, report

from tensorlings import workbook
from tensorlings.grading.model import ClassContext, Graded
from tensorlings.grading.reports import (
    class_json,
    class_report_html,
    grades_csv,
    gradescope_results,
    junit_xml,
)
from tensorlings.grading.store import ResultStore
from tensorlings.grading.submissions import resolve
from tensorlings.workbook_choice import Candidate, Reason, WorkbookChoice

CHOICE = WorkbookChoice(
    Candidate("workbook.py", 2), Candidate("workbook.ipynb", 0), Reason.ONLY_ONE_ATTEMPTED
)
NOTE = (
    "the submission holds both workbook.py and workbook.ipynb; checking workbook.py, not "
    "workbook.ipynb: workbook.py has 2 exercises attempted and workbook.ipynb none (it is "
    "still the template)."
)


def two_workbooks(folder: Path) -> Path:
    """An older workbook.py with two exercises written, a newer untouched notebook."""
    folder.mkdir(parents=True)
    script = folder / "workbook.py"
    solved = "\n\ndef rearrange_1():\n    return 1\n\n\ndef rearrange_2():\n    return 2\n"
    script.write_text(workbook.to_py(workbook.learner_cells()) + solved, encoding="utf-8")
    notebook = folder / "workbook.ipynb"
    notebook.write_text(workbook.to_ipynb(workbook.learner_cells(notebook=True)))
    os.utime(script, (1_000_000, 1_000_000))
    os.utime(notebook, (2_000_000, 2_000_000))
    return script


def graded() -> Graded:
    return Graded("nina", report("nina/workbook.py", exercise("ex_a", "passed")), None, CHOICE)


def test_the_workbook_with_work_is_graded_over_a_newer_template(tmp_path: Path) -> None:
    script = two_workbooks(tmp_path / "nina")
    (submission,) = resolve([tmp_path / "nina"])
    assert submission.workbook == script
    assert submission.choice == CHOICE


def test_a_folder_with_one_workbook_has_no_choice_to_state(tmp_path: Path) -> None:
    folder = tmp_path / "omar"
    folder.mkdir()
    (folder / "workbook.py").write_text("x = 1\n")
    (submission,) = resolve([folder])
    assert submission.choice is None


def test_grades_csv_states_the_choice() -> None:
    rows = list(csv.DictReader(io.StringIO(grades_csv([graded()]))))
    assert rows[0]["workbook_choice"] == NOTE


def test_class_json_states_the_choice_as_data() -> None:
    (item,) = class_json([graded()], ClassContext())["submissions"]
    assert item["workbook_choice"] == {
        "chosen": "workbook.py",
        "ignored": "workbook.ipynb",
        "reason": "only_one_attempted",
        "attempted": {"workbook.py": 2, "workbook.ipynb": 0},
        "note": NOTE,
    }


def test_html_and_junit_reports_state_the_choice() -> None:
    assert NOTE in class_report_html([graded()], ClassContext())
    assert f'name="workbook_choice" value="{NOTE}"' in junit_xml([graded()])


def test_gradescope_output_states_the_choice() -> None:
    results = gradescope_results(graded(), [("ex_a", "s")], ClassContext())
    assert "Note: your submission holds both workbook.py and workbook.ipynb" in results["output"]
    assert results["extra_data"]["workbook_choice"]["reason"] == "only_one_attempted"


def test_the_stored_result_keeps_the_choice(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.prepare()
    data = report("nina/workbook.py").to_json()
    saved = store.save("nina", data, {"sha256": "x", "workbook_choice": CHOICE.to_json()})
    assert saved.choice == CHOICE
    stored = store.load("nina")
    assert stored is not None and stored.graded.choice == CHOICE
    on_disk = json.loads(store.path("nina").read_text())
    assert on_disk["grading"]["workbook_choice"]["reason"] == "only_one_attempted"


@pytest.mark.slow
def test_grade_of_a_folder_with_both_workbooks_grades_the_work_and_says_so(
    tmp_path: Path,
) -> None:
    from tensorlings.grading.grade import grade

    two_workbooks(tmp_path / "nina")
    grade([tmp_path / "nina"], grades_beside(tmp_path), jobs=1)
    stored = json.loads((grades_beside(tmp_path) / "results" / "nina.json").read_text())
    assert stored["file"].endswith("workbook.py")
    assert stored["grading"]["workbook_choice"]["reason"] == "only_one_attempted"
    assert stored["grading"]["flag"] is None  # not the untouched template
    (row,) = csv.DictReader(io.StringIO((grades_beside(tmp_path) / "grades.csv").read_text()))
    assert row["workbook_choice"] == NOTE
    # Work in the other file changes the reason, though not the file graded: said anew.
    notebook = tmp_path / "nina" / "workbook.ipynb"
    cells = workbook.learner_cells(notebook=True)
    cells.append(workbook.WorkbookCell("code", "def rearrange_1():\n    return 1\n"))
    notebook.write_text(workbook.to_ipynb(cells), encoding="utf-8")
    grade([tmp_path / "nina"], grades_beside(tmp_path), jobs=1)
    stored = json.loads((grades_beside(tmp_path) / "results" / "nina.json").read_text())
    assert stored["grading"]["workbook_choice"]["reason"] == "more_attempted"
