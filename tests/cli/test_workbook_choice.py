"""A folder with both workbook.py and workbook.ipynb: the one with the work in it is checked,
whichever was saved last; the choice and its reason are said; `init` will not write a second
workbook beside one with work in it unless given --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tensorlings import workbook
from tensorlings.cli import find_workbook, main
from tensorlings.workbook_choice import (
    Candidate,
    Reason,
    WorkbookChoice,
    attempted,
    choose_workbook,
)

SOLVED = """

def rearrange_1():
    return 1


def rearrange_2():
    return 2
"""


def template_py(folder: Path, solved: str = "", when: int = 1_000_000) -> Path:
    path = folder / "workbook.py"
    path.write_text(workbook.to_py(workbook.learner_cells()) + solved, encoding="utf-8")
    os.utime(path, (when, when))
    return path


def template_ipynb(folder: Path, when: int = 2_000_000) -> Path:
    path = folder / "workbook.ipynb"
    path.write_text(workbook.to_ipynb(workbook.learner_cells(notebook=True)), encoding="utf-8")
    os.utime(path, (when, when))
    return path


def test_the_template_counts_no_exercise_attempted(tmp_path: Path) -> None:
    assert attempted(template_py(tmp_path)) == 0
    assert attempted(template_ipynb(tmp_path)) == 0


def test_a_newer_template_notebook_loses_to_a_workbook_with_work(tmp_path: Path) -> None:
    script = template_py(tmp_path, SOLVED, when=1_000_000)
    notebook = template_ipynb(tmp_path, when=2_000_000)
    choice = choose_workbook([script, notebook])
    assert (choice.chosen.name, choice.reason) == ("workbook.py", Reason.ONLY_ONE_ATTEMPTED)
    assert (choice.chosen.attempted, choice.ignored.attempted) == (2, 0)


def test_with_work_in_both_more_exercises_attempted_wins(tmp_path: Path) -> None:
    script = template_py(tmp_path, SOLVED, when=1_000_000)
    notebook = tmp_path / "workbook.ipynb"
    cells = workbook.learner_cells(notebook=True)
    cells.append(workbook.WorkbookCell("code", "def rearrange_1():\n    return 1\n"))
    notebook.write_text(workbook.to_ipynb(cells), encoding="utf-8")
    choice = choose_workbook([script, notebook])
    assert (choice.chosen.name, choice.reason) == ("workbook.py", Reason.MORE_ATTEMPTED)
    assert choice.both_attempted
    assert "both have work, and workbook.py has more exercises attempted (2 against 1)" in (
        choice.note()
    )


def test_with_as_much_work_in_each_the_one_saved_last_wins(tmp_path: Path) -> None:
    first = tmp_path / "a"
    first.mkdir()
    script = template_py(first, SOLVED, when=3_000_000)
    notebook = first / "workbook.ipynb"
    notebook.write_text(workbook.to_ipynb(workbook.reference_cells()), encoding="utf-8")
    os.utime(notebook, (2_000_000, 2_000_000))
    script.write_text(workbook.to_py(workbook.reference_cells()), encoding="utf-8")
    os.utime(script, (3_000_000, 3_000_000))
    choice = choose_workbook([script, notebook])
    assert (choice.chosen.name, choice.reason) == ("workbook.py", Reason.SAVED_LAST)
    assert "was saved last" in choice.note()


def test_with_no_work_in_either_the_one_saved_last_wins(tmp_path: Path) -> None:
    choice = choose_workbook([template_py(tmp_path), template_ipynb(tmp_path)])
    assert (choice.chosen.name, choice.reason) == ("workbook.ipynb", Reason.NEITHER_ATTEMPTED)


def test_a_fifo_named_like_a_workbook_is_never_read(tmp_path: Path) -> None:
    script = template_py(tmp_path, SOLVED)
    os.mkfifo(tmp_path / "workbook.ipynb")
    choice = choose_workbook([script, tmp_path / "workbook.ipynb"])
    assert choice.chosen.name == "workbook.py"


def test_a_file_that_breaks_the_parser_counts_no_work(tmp_path: Path) -> None:
    path = tmp_path / "workbook.py"
    path.write_text("def rearrange_1():\n    return " + "(" * 200_000 + ")" * 200_000 + "\n")
    assert attempted(path) == 0


def test_the_choice_reads_back_from_its_json() -> None:
    choice = WorkbookChoice(
        Candidate("workbook.py", 5), Candidate("workbook.ipynb", 0), Reason.ONLY_ONE_ATTEMPTED
    )
    assert WorkbookChoice.from_json(choice.to_json()) == choice
    assert WorkbookChoice.from_json({"chosen": "workbook.py"}) is None
    assert WorkbookChoice.from_json("workbook.py") is None


def test_check_finds_the_workbook_with_work_and_says_why(tmp_path, capsys) -> None:
    template_py(tmp_path, SOLVED, when=1_000_000)
    template_ipynb(tmp_path, when=2_000_000)
    assert find_workbook(str(tmp_path)) == tmp_path / "workbook.py"
    err = " ".join(capsys.readouterr().err.split())
    assert (
        f"note: {tmp_path} holds both workbook.py and workbook.ipynb; checking workbook.py, not "
        "workbook.ipynb: workbook.py has 2 exercises attempted and workbook.ipynb none (it is "
        "still the template). Give the path to check the other."
    ) in err


def test_init_refuses_a_notebook_beside_a_workbook_with_work(tmp_path, capsys) -> None:
    template_py(tmp_path, SOLVED)
    assert main(["init", str(tmp_path), "--notebook"]) == 2
    assert not (tmp_path / "workbook.ipynb").exists()
    err = " ".join(capsys.readouterr().err.split())
    assert f"{tmp_path / 'workbook.py'} already holds your work (2 exercises attempted)" in err
    assert "give --force to write workbook.ipynb here anyway" in err


def test_init_with_force_writes_beside_the_work_and_says_so(tmp_path, capsys) -> None:
    script = template_py(tmp_path, SOLVED)
    before = script.read_text()
    assert main(["init", str(tmp_path), "--notebook", "--force"]) == 0
    assert (tmp_path / "workbook.ipynb").exists()
    assert script.read_text() == before
    assert f"wrote {tmp_path / 'workbook.ipynb'}" in capsys.readouterr().out


def test_init_beside_an_untouched_template_is_allowed(tmp_path) -> None:
    template_py(tmp_path)
    assert main(["init", str(tmp_path), "--notebook"]) == 0


def test_init_force_over_an_existing_workbook_says_it_overwrote(tmp_path, capsys) -> None:
    template_py(tmp_path, SOLVED)
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert f"overwrote (--force) {tmp_path / 'workbook.py'}" in capsys.readouterr().out


@pytest.mark.slow
def test_check_of_a_folder_checks_the_older_workbook_with_work(tmp_path, run_tensorlings) -> None:
    import json

    template_py(tmp_path, "\n\ndef rearrange_1():\n    return 1\n", when=1_000_000)
    template_ipynb(tmp_path, when=2_000_000)
    result = run_tensorlings("check", "--json", "--exercise", "rearrange_1", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["file"].endswith("workbook.py")
    assert report["exercises"][0]["status"] == "failed"
    assert "checking workbook.py, not workbook.ipynb" in " ".join(result.stderr.split())
