from __future__ import annotations

from pathlib import Path

import pytest

from tensorlings.grading.errors import GradingError
from tensorlings.grading.submissions import resolve, safe_name, unique_names


def touch(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_workbook_files_are_named_by_their_stem(tmp_path: Path) -> None:
    found = resolve([touch(tmp_path / "bob.ipynb"), touch(tmp_path / "alice.py")])
    assert [(s.name, s.workbook) for s in found] == [
        ("alice", tmp_path / "alice.py"),
        ("bob", tmp_path / "bob.ipynb"),
    ]


def test_folder_is_named_by_the_folder_and_holds_its_workbook(tmp_path: Path) -> None:
    workbook = touch(tmp_path / "carol" / "solutions.py")
    (submission,) = resolve([tmp_path / "carol"])
    assert (submission.name, submission.workbook, submission.problem) == ("carol", workbook, None)


def test_workbook_py_named_directly_takes_its_folders_name(tmp_path: Path) -> None:
    (submission,) = resolve([touch(tmp_path / "dan" / "workbook.py")])
    assert submission.name == "dan"


def test_folder_prefers_workbook_py_over_other_workbooks(tmp_path: Path) -> None:
    touch(tmp_path / "erin" / "scratch.py")
    touch(tmp_path / "erin" / "workbook.ipynb")
    preferred = touch(tmp_path / "erin" / "workbook.py")
    (submission,) = resolve([tmp_path / "erin"])
    assert submission.workbook == preferred


def test_folder_with_only_a_notebook_uses_it(tmp_path: Path) -> None:
    notebook = touch(tmp_path / "fay" / "Untitled.ipynb")
    touch(tmp_path / "fay" / "README.md")
    touch(tmp_path / "fay" / ".hidden.py")
    (submission,) = resolve([tmp_path / "fay"])
    assert submission.workbook == notebook


def test_folder_without_workbook_is_a_submission_with_a_problem(tmp_path: Path) -> None:
    touch(tmp_path / "gus" / "notes.txt")
    (submission,) = resolve([tmp_path / "gus"])
    assert submission.workbook is None
    assert submission.problem == (
        f"the folder {str(tmp_path / 'gus')!r} holds no workbook (.py or .ipynb); "
        "put the learner's workbook in it"
    )


def test_folder_with_several_workbooks_is_a_submission_with_a_problem(tmp_path: Path) -> None:
    touch(tmp_path / "hal" / "a.py")
    touch(tmp_path / "hal" / "b.ipynb")
    (submission,) = resolve([tmp_path / "hal"])
    assert submission.workbook is None
    assert submission.problem == (
        f"the folder {str(tmp_path / 'hal')!r} holds 2 workbooks (a.py, b.ipynb) and none is "
        "named workbook.py or workbook.ipynb; keep one, or rename the one to grade workbook.py"
    )


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(GradingError) as raised:
        resolve([tmp_path / "nobody.py"])
    assert str(raised.value) == (
        f"{str(tmp_path / 'nobody.py')!r} does not exist: "
        "give workbooks (.py, .ipynb) or folders that hold one"
    )


def test_file_that_is_not_a_workbook_is_its_own_unusable_row(tmp_path: Path) -> None:
    # `grade subs/*` may catch a roster: it gets a row saying why, and the class is still graded.
    roster, alice = touch(tmp_path / "roster.csv"), touch(tmp_path / "alice.py")
    by_name = {s.name: s for s in resolve([roster, alice])}
    assert by_name["alice"].workbook == alice
    assert by_name["roster"].workbook is None
    assert by_name["roster"].problem == (
        f"{str(roster)!r} is not a workbook: a submission is a .py or .ipynb "
        "file, or a folder holding one"
    )


def test_folder_with_both_workbooks_grades_the_one_saved_last(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "nina"
    folder.mkdir()
    script, notebook = touch(folder / "workbook.py"), touch(folder / "workbook.ipynb")
    os.utime(script, (1_000_000, 1_000_000))
    os.utime(notebook, (2_000_000, 2_000_000))
    assert resolve([folder])[0].workbook == notebook
    os.utime(script, (3_000_000, 3_000_000))
    assert resolve([folder])[0].workbook == script


def test_no_arguments_is_a_usage_error() -> None:
    with pytest.raises(GradingError, match="no submissions given"):
        resolve([])


def test_same_submission_twice_counts_once(tmp_path: Path) -> None:
    path = touch(tmp_path / "ivy.py")
    assert len(resolve([path, tmp_path / "." / "ivy.py"])) == 1


def test_clashing_names_are_numbered_ignoring_case(tmp_path: Path) -> None:
    found = resolve([touch(tmp_path / "a" / "Jo.py"), touch(tmp_path / "b" / "jo.py")])
    assert [s.name for s in found] == ["Jo", "jo-2"]


def test_names_do_not_depend_on_argument_order(tmp_path: Path) -> None:
    one, two = touch(tmp_path / "a" / "kim.py"), touch(tmp_path / "b" / "kim.py")
    assert resolve([one, two]) == resolve([two, one])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("José Núñez", "Jose_Nunez"),
        ("../../etc/passwd", "etc_passwd"),
        ("--rm -rf", "rm_-rf"),
        (".hidden", "hidden"),
        ("=SUM(A1)", "SUM_A1"),
        ("", "submission"),
        ("名前", "submission"),
    ],
)
def test_names_are_safe_as_file_names(text: str, name: str) -> None:
    assert safe_name(text) == name


def test_unique_names_skip_a_name_already_taken() -> None:
    assert unique_names(["a", "a", "a-2"]) == ["a", "a-2", "a-2-2"]


def test_an_output_folder_beside_the_submissions_is_refused_and_says_why(tmp_path: Path) -> None:
    touch(tmp_path / "class" / "ann.py")
    touch(tmp_path / "class" / "grades" / "results" / "ann.json")
    given = sorted((tmp_path / "class").iterdir())
    with pytest.raises(GradingError) as refused:
        resolve(given, out_dir=tmp_path / "class" / "grades")
    assert str(refused.value) == (
        f"--out {str(tmp_path / 'class' / 'grades')!r} is inside {str(tmp_path / 'class')!r}, "
        "the folder that holds the submissions: on the next run its reports would be graded "
        "as a student's submission. Give an output folder outside the submissions, e.g. "
        f"--out {str(tmp_path / 'grades')!r}"
    )
    with pytest.raises(GradingError) as named:  # the output folder given as a submission
        resolve([tmp_path / "class" / "grades"], out_dir=tmp_path / "class" / "grades")
    assert str(named.value) == (
        f"--out {str(tmp_path / 'class' / 'grades')!r} is the submission "
        f"{str(tmp_path / 'class' / 'grades')!r}: on the next run its reports would be graded "
        "as a student's submission. Give an output folder outside the submissions, e.g. "
        f"--out {str(tmp_path / 'grades')!r}"
    )


def test_the_submissions_folder_itself_as_output_is_refused(tmp_path: Path) -> None:
    touch(tmp_path / "class" / "ann.py")
    touch(tmp_path / "class" / "ann" / "workbook.py")
    with pytest.raises(GradingError, match=r"is '.*class', the folder that holds the submissions"):
        resolve([tmp_path / "class" / "ann.py"], out_dir=tmp_path / "class")
    with pytest.raises(GradingError, match=r"is inside the submission '.*ann'"):
        resolve([tmp_path / "class" / "ann"], out_dir=tmp_path / "class" / "ann" / "out")


def test_an_output_folder_outside_the_submissions_folder_is_accepted(tmp_path: Path) -> None:
    touch(tmp_path / "class" / "ann.py")
    found = resolve([tmp_path / "class" / "ann.py"], out_dir=tmp_path / "grades")
    assert [s.name for s in found] == ["ann"]


def test_blank_submission_counts_as_nothing_attempted() -> None:
    from tensorlings.checker.results import CheckReport, ExerciseResult
    from tensorlings.grading.model import Graded

    def graded(*statuses: str) -> Graded:
        exercises = tuple(ExerciseResult(f"e{i}", "s", s) for i, s in enumerate(statuses))
        report = CheckReport("f.py", 0, "t", "cpu", None, exercises)
        return Graded("x", report)

    assert graded("not_started", "not_started").attempted_nothing
    assert not graded("not_started", "passed").attempted_nothing
    assert not graded("failed").attempted_nothing
