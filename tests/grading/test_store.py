from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from grading_helpers import small_class

from tensorlings.checker.results import SCHEMA
from tensorlings.checker.sandbox import Limits
from tensorlings.grading import store
from tensorlings.grading.checking import CheckSettings
from tensorlings.grading.errors import GradingError
from tensorlings.grading.store import ResultStore, fingerprint, write_atomic


def test_write_atomic_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("old")
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert os.listdir(tmp_path) == ["a.json"]


def test_write_atomic_interrupted_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    path.write_text("old")

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.json"]


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    write_atomic(tmp_path / "report.html", "<p>")
    mode = (tmp_path / "report.html").stat().st_mode & 0o777
    assert mode == 0o666 & ~store._umask()


def test_stray_temporaries_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    results = ResultStore(tmp_path)
    results.prepare()
    stray = results.folder / ".alice.json.k2j3.tmp"
    stray.write_text("{half")
    with results.locked():
        assert not stray.exists()


def test_saved_result_is_the_check_schema_plus_grading(tmp_path: Path) -> None:
    results = ResultStore(tmp_path)
    results.prepare()
    bob = small_class()[1]
    results.save("bob", bob.report.to_json(), {"sha256": "abc", "source": "bob.py"})
    data = json.loads((tmp_path / "results" / "bob.json").read_text())
    assert data["schema"] == SCHEMA
    assert data["grading"] == {"submission": "bob", "sha256": "abc", "source": "bob.py"}
    stored = results.load("bob")
    assert stored is not None
    assert (stored.graded, stored.sha256) == (bob, "abc")


def test_unreadable_result_counts_as_missing(tmp_path: Path) -> None:
    results = ResultStore(tmp_path)
    results.prepare()
    results.path("bob").write_text('{"schema": "something else"}')
    results.path("eve").write_text("{half a file")
    assert results.load("bob") is None
    assert results.load("eve") is None
    assert results.load("nobody") is None


def test_fingerprint_changes_with_content_and_every_check_setting() -> None:
    def key(content: bytes, settings: CheckSettings) -> str:
        return fingerprint(content, settings=settings.key())

    base = key(b"def f(): pass", CheckSettings())
    assert base == key(b"def f(): pass", CheckSettings())
    assert base != key(b"def f(): pass ", CheckSettings())
    assert base != key(b"def f(): pass", CheckSettings(seed=1))
    assert base != key(b"def f(): pass", CheckSettings(device="cuda"))
    assert base != key(b"def f(): pass", CheckSettings(limits=Limits(exercise_seconds=9)))


def test_fingerprint_changes_with_the_tensorlings_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint(b"x", settings="")
    monkeypatch.setattr(store, "__version__", "99.0")
    assert fingerprint(b"x", settings="") != before


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("")
    with pytest.raises(GradingError) as raised:
        ResultStore(tmp_path / "out").prepare()
    assert str(raised.value) == (
        f"--out {str(tmp_path / 'out')!r} is a file, not a folder; "
        "give a new or existing folder for the results"
    )


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    first, second = ResultStore(tmp_path), ResultStore(tmp_path)
    first.prepare()
    with (
        first.locked(),
        pytest.raises(GradingError, match="another `tensorlings grade` is"),
        second.locked(),
    ):
        pass
    with second.locked():  # free again once the first is done
        pass
