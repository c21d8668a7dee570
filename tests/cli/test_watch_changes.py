"""watch notices a finished save of its file, through file events or polling, and nothing else."""

from __future__ import annotations

import threading
import time

import pytest

from tensorlings.watch import Changes


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
