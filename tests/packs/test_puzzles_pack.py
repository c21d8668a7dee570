"""A port of a few tensor puzzles (tests/packs/puzzles/, written from docs/authoring.md alone)
and learners' solutions to it (tests/packs/puzzles_learners/): the verdicts an instructor gives.
Right answers in several styles pass, wrong ones fail on their values, and every rule break
fails as a rule break, with the line and the route in the message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorlings import packs, workbook
from tensorlings.authoring import pack_checks
from tensorlings.authoring.findings import AuditCount
from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport, ExerciseResult
from tensorlings.checker.sandbox import ZygoteHandle
from tensorlings.cli import main

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
PACK = HERE / "puzzles"
LEARNERS = HERE / "puzzles_learners"
IDS = ("ones", "sum", "eye", "triu", "cumsum", "outer", "repeat")
# Words of the other packs' tools: a message here must not send the learner to them.
OTHER_PACKS_TOOLS = ("rearrange", "einsum", "squeeze", "clone", "reshape")


@pytest.fixture(scope="module")
def reports(zygote: ZygoteHandle) -> dict[str, CheckReport]:
    pack = packs.load_path(PACK)
    return {
        path.stem: check_path(path, zygote=zygote, catalogue=pack)
        for path in sorted(LEARNERS.glob("*.py"))
    }


def _results(report: CheckReport) -> dict[str, ExerciseResult]:
    assert report.error is None
    return {result.id: result for result in report.exercises}


def _failing(result: ExerciseResult) -> list[str]:
    return [p.kind for p in result.problems if p.fails]


def test_right_answers_in_the_plainest_style_all_pass(reports: dict[str, CheckReport]) -> None:
    results = _results(reports["right_plain"])
    assert {i: r.status for i, r in results.items()} == dict.fromkeys(IDS, "passed")


def test_a_helpers_rule_break_fails_only_the_helper_exercise(
    reports: dict[str, CheckReport],
) -> None:
    """triu uses .T, outside its list: triu fails; cumsum, which calls the learner's triu, is
    judged on its own code and passes. `out += 1` is the operator +, allowed."""
    results = _results(reports["right_other_styles"])
    statuses = {i: r.status for i, r in results.items()}
    assert statuses == {**dict.fromkeys(IDS, "passed"), "triu": "failed"}
    (problem,) = [p for p in results["triu"].problems if p.fails]
    assert problem.kind == "forbidden_call" and problem.details["calls"] == ["T"]
    assert "T (at line 20)" in problem.message and problem.line == 20
    # the author's words for the list, not thirty internal names
    assert "may only call torch.arange, torch.where, indexing, operators" in problem.message


def test_wrong_answers_fail_on_their_values(reports: dict[str, CheckReport]) -> None:
    results = _results(reports["wrong"])
    for exercise_id in IDS:
        kinds = _failing(results[exercise_id])
        assert kinds and "forbidden_call" not in kinds, (exercise_id, kinds)
        assert set(kinds) <= {"wrong_values", "wrong_shape"}, (exercise_id, kinds)


def test_every_rule_break_fails_as_a_rule_break(reports: dict[str, CheckReport]) -> None:
    results = _results(reports["rule_breakers"])
    for exercise_id in IDS:
        assert "forbidden_call" in _failing(results[exercise_id]), exercise_id
    # torch.add where only + is allowed: operators and functions are told apart
    (eye,) = [p for p in results["eye"].problems if p.fails]
    assert eye.details["calls"] == ["add"]
    # a forbidden call in a plain helper names the route
    (total,) = [p for p in results["sum"].problems if p.fails]
    assert "through _total() at line 9" in total.message


def test_a_raising_line_keeps_its_rule_findings_and_explains_the_dtypes(
    reports: dict[str, CheckReport],
) -> None:
    """`a.float()[:, None] @ b[None, :]` raises (float32 @ int64) on a line that uses the
    forbidden @ and a cast outside the list: all three are said, @ only once."""
    outer = _results(reports["rule_breakers"])["outer"]
    by_kind: dict[str, list[str]] = {}
    for problem in outer.problems:
        by_kind.setdefault(problem.kind, []).append(problem.message)
    (raised,) = by_kind["exception"]
    assert "torch.float32" in raised and "torch.int64" in raised
    assert ".to(" not in raised and "dtype=x.dtype" in raised  # casts are not allowed here
    forbidden, outside = by_kind["forbidden_call"]
    assert "@ (the operator, at line 29)" in forbidden
    assert "float" in outside and "@" not in outside.split("also called")[1]


def test_no_message_sends_the_learner_to_another_packs_tools(
    reports: dict[str, CheckReport],
) -> None:
    for name, report in reports.items():
        for result in report.exercises:
            for problem in result.problems:
                said = [w for w in OTHER_PACKS_TOOLS if w in problem.message]
                assert not said, (name, result.id, problem.message)


def test_the_port_passes_pack_check_with_its_audit_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A reference calling a sibling section's reference (cumsum calls triu) works here too."""
    assert main(["pack", "check", str(PACK), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["clean"] and report["findings"] == []
    audited = {entry["exercise"]: entry for entry in report["audit"]}
    assert set(audited) == set(IDS)
    assert all(e["tried"] > 0 and e["caught"] == e["tried"] for e in audited.values())


def test_pack_check_verbose_shows_the_audits_counts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counts as the audit gives them (the full audit runs in the JSON test above)."""
    counts = (AuditCount("cumsum", 10, 9, 1), AuditCount("outer", 4, 4, 0))
    monkeypatch.setattr(pack_checks, "pack_report", lambda pack: ([], counts))
    assert main(["pack", "check", str(PACK), "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "audit cumsum: 10 mutants tried, 9 caught, 1 survived, 1 never differ" in out
    assert "audit outer: 4 mutants tried, 4 caught, 0 survived, 0 never differ" in out
    assert "pack puzzles 0.1: 7 exercises, no findings." in out


def test_hint_prints_brackets_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hint", "outer", "--dir", str(tmp_path), "--pack", str(PACK)]) == 0
    assert "(a[:, None])" in capsys.readouterr().out


def test_the_workbook_does_not_import_einops_repeat_over_the_repeat_exercise() -> None:
    pack = packs.load_path(PACK)
    text = workbook.to_py(workbook.learner_cells(pack=pack))
    assert "from einops import rearrange, reduce\n" in text
    assert "import repeat" not in text and ", repeat" not in text
    assert "def repeat(" in text
