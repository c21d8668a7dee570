"""watch notices a finished save of its file, through file events or polling, and nothing else."""

from __future__ import annotations

import io
import threading
import time

import pytest
from rich.console import Console

from tensorlings.checker.results import CheckReport, ExerciseResult, LoadNote, Problem
from tensorlings.watch import Changes, SaveChanges, show, what_changed


@pytest.mark.parametrize("poll", [False, True], ids=["file-events", "polling"])
def test_a_save_of_the_watched_file_is_noticed(tmp_path, poll):
    path = tmp_path / "workbook.py"
    path.write_text("x = 1\n")
    changes = Changes(path, poll=poll)
    try:
        timer = threading.Timer(0.3, lambda: path.write_text("x = 2  # saved\n"))
        timer.start()
        assert changes.wait(timeout=10)
        timer.join()
    finally:
        changes.close()


@pytest.mark.parametrize("poll", [False, True], ids=["file-events", "polling"])
def test_a_save_that_empties_the_file_before_writing_it_is_seen_written(tmp_path, poll):
    path = tmp_path / "workbook.py"
    path.write_text("x = 1\n")
    changes = Changes(path, poll=poll)
    try:
        path.write_text("")  # the editor paused between emptying and writing (a loaded machine)
        timer = threading.Timer(0.2, lambda: path.write_text("x = 2  # written\n"))
        timer.start()
        assert changes.wait(timeout=10)
        timer.join()
        assert changes.stamp is not None and changes.stamp[1] > 0
        assert path.read_text() == "x = 2  # written\n"
    finally:
        changes.close()


@pytest.mark.parametrize("poll", [False, True], ids=["file-events", "polling"])
def test_other_files_in_the_folder_are_ignored(tmp_path, poll):
    path = tmp_path / "workbook.py"
    path.write_text("x = 1\n")
    changes = Changes(path, poll=poll)
    try:
        (tmp_path / "notes.txt").write_text("not the workbook\n")
        started = time.monotonic()
        assert not changes.wait(timeout=0.6)
        assert time.monotonic() - started >= 0.5
    finally:
        changes.close()


# --- What each save changed ---------------------------------------------------------------

LOGSUMEXP_WRONG = "def batched_logsumexp(matrix):\n    return matrix.exp().sum(-1).log() + 1\n"
LOGSUMEXP_RIGHT = (
    "def batched_logsumexp(matrix):\n"
    "    top = matrix.max(-1, keepdim=True).values\n"
    "    return (matrix - top).exp().sum(-1).log() + top.squeeze(-1)\n"
)
SOFTMAX_RIGHT = (
    "def batched_softmax(matrix):\n"
    "    e = (matrix - matrix.max(-1, keepdim=True).values).exp()\n"
    "    return e / e.sum(-1, keepdim=True)\n"
)
SOFTMAX_BROKEN = SOFTMAX_RIGHT.replace("keepdim=True)\n", "keepdim=True\n")
IDS = ("batched_logsumexp", "batched_softmax")


def _saved(path, *functions):
    path.write_text("import torch\n\n\n" + "\n\n".join(functions), encoding="utf-8")
    return path


def _shown(report, changes) -> str:
    buffer = io.StringIO()
    show(Console(file=buffer, width=100, no_color=True), report, changes)
    return buffer.getvalue()


def test_a_save_that_fixes_one_exercise_and_breaks_another_says_both(zygote, tmp_path):
    from tensorlings.checker.check import check_path

    path = tmp_path / "workbook.py"
    before = check_path(
        _saved(path, LOGSUMEXP_WRONG, SOFTMAX_RIGHT), zygote=zygote, exercise_ids=IDS
    )
    after = check_path(
        _saved(path, LOGSUMEXP_RIGHT, SOFTMAX_BROKEN), zygote=zygote, exercise_ids=IDS
    )
    changes = what_changed(before, after)
    assert changes.fixed == ("batched_logsumexp",)
    assert changes.broken == (("batched_softmax", "exception"),)
    assert [note.kind for note in changes.new_notes] == ["syntax_error"]
    shown = _shown(after, changes)
    assert "✓ batched_logsumexp passes now." in shown
    assert "✗ batched_softmax fails now: exception" in shown
    assert f"+ new load note, line {changes.new_notes[0].line}: syntax_error" in shown

    again = check_path(
        _saved(path, LOGSUMEXP_RIGHT, SOFTMAX_RIGHT), zygote=zygote, exercise_ids=IDS
    )
    changes = what_changed(after, again)
    assert changes.fixed == ("batched_softmax",) and changes.broken == ()
    assert [note.kind for note in changes.gone_notes] == ["syntax_error"]
    assert "- load note gone" in _shown(again, changes)


def test_the_first_check_reports_no_changes(zygote, tmp_path):
    from tensorlings.checker.check import check_path

    report = check_path(
        _saved(tmp_path / "workbook.py", LOGSUMEXP_RIGHT), zygote=zygote, exercise_ids=IDS
    )
    assert what_changed(None, report) == SaveChanges()


def test_when_everything_passes_watch_still_shows_the_notes_check_shows():
    note = Problem("edge_case", "passes, but not on an empty input: raised at line 3")
    report = CheckReport(
        file="workbook.py",
        seed=0,
        torch="2",
        device="cpu",
        error=None,
        exercises=(ExerciseResult("collect_rows", "Collecting", "passed", (note,)),),
        load_notes=(LoadNote(7, "import_error", "ModuleNotFoundError: No module named 'course'"),),
    )
    shown = _shown(report, SaveChanges())
    assert "Every exercise passes." in shown
    assert "passes, but not on an empty input" in shown
    assert "line 7: import_error" in shown


def test_a_file_that_cannot_be_checked_lists_no_changes_only_its_error():
    from tensorlings.checker.results import FileError

    def report(error=None, notes=()):
        passed = () if error else (ExerciseResult("relu_abs", "ReLU", "passed"),)
        return CheckReport(
            file="workbook.py", seed=0, torch="2", device="cpu", error=error,
            exercises=passed, load_notes=notes,
        )  # fmt: skip

    fine = report(notes=(LoadNote(3, "import_error", "no module named 'course'"),))
    broken = report(error=FileError("syntax_error", "invalid syntax at line 1", 1))
    assert what_changed(fine, broken) == SaveChanges()
    assert what_changed(broken, fine) == SaveChanges()
    assert "could not be checked" in _shown(broken, what_changed(fine, broken))
