"""Grading that cannot be forged: signed results, a secret seed, refused symlinks, escaped
control characters, and no grading without the full sandbox unless the user allows it."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from grading_helpers import GOOD, WRONG, exercise, grades_beside, report, small_class

from tensorlings.grading import grade as grade_module
from tensorlings.grading.errors import GradingError
from tensorlings.grading.grade import grade
from tensorlings.grading.isolation import WeakIsolation, is_full, missing_layers
from tensorlings.grading.model import ClassContext, Graded, Isolation
from tensorlings.grading.progress import Lines
from tensorlings.grading.reports import (
    class_json,
    class_report_html,
    grades_csv,
    gradescope_results,
    junit_xml,
)
from tensorlings.grading.reports.stats import exercise_order
from tensorlings.grading.store import SECRET_FILE, ResultStore
from tensorlings.grading.submissions import resolve


def saved(tmp_path: Path) -> ResultStore:
    results = ResultStore(tmp_path)
    results.prepare()
    results.save("bob", small_class()[1].report.to_json(), {"sha256": "abc", "source": "bob.py"})
    return results


def test_a_saved_result_is_signed_and_loads_back(tmp_path: Path) -> None:
    results = saved(tmp_path)
    data = json.loads(results.path("bob").read_text())
    assert len(data["signature"]) == 64
    assert results.load("bob") is not None


@pytest.mark.parametrize(
    "forge",
    [
        lambda d: d["exercises"][1].update(status="passed", problems=[]),
        lambda d: d["grading"].update(sha256="def"),
        lambda d: d.pop("signature"),
        lambda d: d.update(signature="0" * 64),
    ],
    ids=["passed", "hash", "unsigned", "zero-signature"],
)
def test_an_edited_result_fails_validation_and_counts_as_missing(tmp_path: Path, forge) -> None:
    results = saved(tmp_path)
    data = json.loads(results.path("bob").read_text())
    forge(data)
    results.path("bob").write_text(json.dumps(data))
    assert results.load("bob") is None


def test_a_result_signed_in_another_folder_is_not_accepted(tmp_path: Path) -> None:
    saved(tmp_path / "a")
    other = ResultStore(tmp_path / "b")
    other.prepare()
    shutil.copy(tmp_path / "a" / "results" / "bob.json", other.path("bob"))
    assert other.load("bob") is None


def test_the_secret_is_private_and_kept_from_run_to_run(tmp_path: Path) -> None:
    stores = [ResultStore(tmp_path), ResultStore(tmp_path), ResultStore(tmp_path / "elsewhere")]
    for results in stores:
        results.prepare()
    first = stores[0].secret
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert stores[1].secret == first
    assert stores[2].secret != first  # a new folder, a new key and seed


def test_a_damaged_secret_is_replaced_and_old_results_are_checked_again(tmp_path: Path) -> None:
    saved(tmp_path)
    (tmp_path / SECRET_FILE).write_text("{broken")
    assert ResultStore(tmp_path).load("bob") is None


def test_a_symlink_out_of_a_submission_is_refused_with_a_clear_row(tmp_path: Path) -> None:
    secret = tmp_path / "instructor" / "answers.py"
    secret.parent.mkdir()
    secret.write_text("TOP SECRET first line\n")
    (tmp_path / "class" / "mallory").mkdir(parents=True)
    (tmp_path / "class" / "mallory" / "workbook.py").symlink_to(secret)
    (tmp_path / "class" / "trent.py").symlink_to(secret)
    (tmp_path / "class" / "own").mkdir()
    (tmp_path / "class" / "own" / "work.py").write_text(GOOD)
    (tmp_path / "class" / "own" / "workbook.py").symlink_to("work.py")  # inside: allowed
    found = {s.name: s for s in resolve(sorted((tmp_path / "class").iterdir()))}
    assert found["own"].workbook is not None
    for name in ("mallory", "trent"):
        assert found[name].workbook is None and found[name].flag == "unreadable"
        assert "symbolic link to a file outside the submission" in (found[name].problem or "")
    (tmp_path / "class" / "alice.py").write_text(GOOD)
    (tmp_path / "class" / "copycat.py").symlink_to("alice.py")  # same folder, someone else's
    listed = {s.name: s for s in resolve(sorted((tmp_path / "class").iterdir()))}
    assert listed["alice"].workbook is not None  # both rows are there: nothing is dropped
    assert listed["copycat"].workbook is None
    assert "symbolic link to another submission" in (listed["copycat"].problem or "")
    summary = grade(
        [tmp_path / "class" / "mallory", tmp_path / "class" / "trent.py"], grades_beside(tmp_path)
    )  # nothing to check: no worker is started
    assert summary.could_not_check == 2
    for report_file in ("grades.csv", "junit.xml", "report.html", "class.json"):
        assert "TOP SECRET" not in (grades_beside(tmp_path) / report_file).read_text()


ANSI = "\x1b[2J\x1b[31mYOU PASSED\x1b[0m\r\u202eevil"


def test_control_characters_are_escaped_in_every_report_and_the_terminal() -> None:
    hostile = Graded(
        "eve", report("eve.py", exercise("ex_a", "failed", "wrong_values", message=ANSI))
    )
    crashed = Graded("mallory", report("mallory.py", error=_error(ANSI)))
    graded = [*small_class(), hostile, crashed]
    context = ClassContext()
    texts = {
        "csv": grades_csv(graded, context),
        "junit": junit_xml(graded),
        "html": class_report_html(graded, context),
        "class.json": json.dumps(class_json(graded, context), ensure_ascii=False),
        "gradescope": json.dumps(
            gradescope_results(hostile, exercise_order(graded), context), ensure_ascii=False
        ),
    }
    stream = io.StringIO()
    Lines(stream).advance(crashed)
    texts["terminal"] = stream.getvalue()
    for name, text in texts.items():
        assert "\x1b" not in text and "\r" not in text and "\u202e" not in text, name
        assert "\\x1b[31mYOU PASSED" in text, name


def _error(message: str):
    from tensorlings.checker.results import FileError

    return FileError("crashed", message)


def test_isolation_without_full_true_counts_as_weak() -> None:
    assert not is_full({}) and not is_full({"full": "yes"}) and is_full({"full": True})
    assert missing_layers({"layers": {"user_ns": True, "cgroup": False, "seccomp": False}}) == [
        "cgroup",
        "seccomp",
    ]
    assert missing_layers({"missing": ["seccomp"]}) == ["seccomp"]


def test_grade_refuses_weak_isolation_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def weak() -> None:
        raise WeakIsolation({"full": False, "missing": ["cgroup", "seccomp"]})

    monkeypatch.setattr(grade_module, "probe_isolation", weak)
    monkeypatch.delenv("TENSORLINGS_ALLOW_WEAK_ISOLATION", raising=False)
    (tmp_path / "ada.py").write_text(GOOD)
    with pytest.raises(GradingError) as refused:
        grade([tmp_path / "ada.py"], grades_beside(tmp_path))
    assert str(refused.value).startswith(
        "refusing to grade without the full sandbox (missing: cgroup, seccomp)"
    )
    assert "--allow-weak-isolation" in str(refused.value)
    assert not list((grades_beside(tmp_path) / "results").glob("*.json"))  # nothing was checked


def test_reports_of_a_weak_run_say_so() -> None:
    context = ClassContext(isolation=Isolation(full=False, weak_allowed=True, missing=("cgroup",)))
    graded = small_class()
    assert 'id="weak-isolation"' in class_report_html(graded, context)
    assert "missing layers: cgroup" in class_report_html(graded, context)
    assert class_json(graded, context)["isolation"]["full"] is False
    assert ",weak," in grades_csv(graded, context)
    assert 'name="isolation" value="weak"' in junit_xml(graded, weak_isolation=True)
    assert (
        gradescope_results(graded[0], exercise_order(graded), context)["extra_data"][
            "isolation_full"
        ]
        is False
    )


@pytest.mark.slow
def test_forged_and_corrupt_results_are_checked_again_with_the_folder_seed(
    tmp_path: Path,
) -> None:
    for name, text in (("good", GOOD), ("wrong", WRONG)):
        (tmp_path / f"{name}.py").write_text(text)
    paths = [tmp_path / "good.py", tmp_path / "wrong.py"]
    first = grade(paths, grades_beside(tmp_path), jobs=1)
    results = grades_beside(tmp_path) / "results"
    wrong = json.loads((results / "wrong.json").read_text())
    assert wrong["seed"] == wrong["grading"]["seed"] == first.seed
    for item in wrong["exercises"]:  # what a stray process would write: all passed
        item.update(status="passed", problems=[])
    (results / "wrong.json").write_text(json.dumps(wrong))
    (results / "good.json").write_text("{half a fi")
    again = grade(paths, grades_beside(tmp_path), jobs=1)
    assert (again.rejected, again.checked, again.seed) == (2, 2, first.seed)
    recheck = json.loads((results / "wrong.json").read_text())
    assert recheck["summary"]["failed"] == 1
    forced = grade(paths, grades_beside(tmp_path), jobs=1, seed=7)
    assert forced.checked == 2
    assert {json.loads((results / f).read_text())["seed"] for f in os.listdir(results)} == {7}


def test_a_result_replaced_by_a_folder_or_a_link_is_rejected_then_rewritten(
    tmp_path: Path,
) -> None:
    results = saved(tmp_path)
    results.path("bob").unlink()
    results.path("bob").mkdir()
    (results.path("bob") / "x").write_text("")
    (tmp_path / "elsewhere.json").write_text('{"schema": "tensorlings.check/1"}')
    results.path("eve").symlink_to(tmp_path / "elsewhere.json")
    assert results.load("bob") is None and results.load("eve") is None
    for name in ("bob", "eve"):
        results.save(name, small_class()[1].report.to_json(), {"sha256": "abc"})
        assert results.load(name) is not None
    assert (tmp_path / "elsewhere.json").read_text() == '{"schema": "tensorlings.check/1"}'


def test_a_weak_report_stops_the_run_before_it_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the worker does not say up front, the first report without `full` refuses."""

    def weak_checks(jobs, saver, *args) -> None:
        for job in jobs:
            data = report(str(job.workbook), exercise("rearrange_1", "passed")).to_json()
            data["isolation"] = {"network": True, "full": False, "missing": ["seccomp"]}
            saver.on_result(job, data)

    monkeypatch.setattr(grade_module, "probe_isolation", lambda: None)
    monkeypatch.setattr(grade_module, "_run", weak_checks)
    monkeypatch.delenv("TENSORLINGS_ALLOW_WEAK_ISOLATION", raising=False)
    (tmp_path / "ada.py").write_text(GOOD)
    with pytest.raises(WeakIsolation, match=r"missing: seccomp"):
        grade([tmp_path / "ada.py"], grades_beside(tmp_path))
    assert not list((grades_beside(tmp_path) / "results").glob("*.json"))
    allowed = grade([tmp_path / "ada.py"], grades_beside(tmp_path), allow_weak_isolation=True)
    assert allowed.weak_isolation
    data = json.loads((grades_beside(tmp_path) / "class.json").read_text())
    assert data["isolation"] == {
        "full": False,
        "weak_allowed": True,
        "missing": ["seccomp"],
        "warning": data["isolation"]["warning"],
    }
    assert "seccomp" in data["isolation"]["warning"]


class _Tamperer:
    """Progress that, once the first result is saved, rewrites a submission not yet checked,
    as a stray process of the first check could."""

    def __init__(self, victim: Path) -> None:
        self.victim = victim

    def start(self, to_check: int, unchanged: int) -> None:
        pass

    def advance(self, graded: Graded) -> None:
        if self.victim.read_text() == GOOD:
            self.victim.write_text(WRONG)

    def finish(self) -> None:
        pass


@pytest.mark.slow
def test_a_submission_changed_during_the_run_is_judged_on_the_bytes_hashed(
    tmp_path: Path,
) -> None:
    for name in ("a_first", "b_victim"):
        (tmp_path / f"{name}.py").write_text(GOOD)
    paths = [tmp_path / "a_first.py", tmp_path / "b_victim.py"]
    grade(paths, grades_beside(tmp_path), jobs=1, progress=_Tamperer(paths[1]))
    victim = json.loads((grades_beside(tmp_path) / "results" / "b_victim.json").read_text())
    assert victim["summary"]["failed"] == 0  # judged on what was hashed: the good workbook
    assert victim["file"] == str(paths[1])  # the copy it was checked from is never shown
    assert ".checking" not in json.dumps(victim)
    assert not (grades_beside(tmp_path) / ".checking").exists()
    again = grade(paths, grades_beside(tmp_path), jobs=1)  # the change is seen next time
    assert again.checked == 1 and again.failed == 1
