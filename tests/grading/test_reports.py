from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from grading_helpers import report, small_class

from tensorlings.checker.results import PROBLEM_KINDS, FileError
from tensorlings.grading.model import Graded
from tensorlings.grading.reports import (
    charts,
    class_report_html,
    grades_csv,
    gradescope_results,
    junit_xml,
)
from tensorlings.grading.reports.stats import exercise_order, exercise_stats, hardest


def statuses(graded: Graded) -> dict[str, str]:
    return {r.id: r.status for r in graded.report.exercises}


def test_csv_agrees_with_the_results() -> None:
    graded = small_class()
    rows = list(csv.DictReader(io.StringIO(grades_csv(graded))))
    assert [row["submission"] for row in rows] == ["alice", "bob", "carol", "dave"]
    for row, item in zip(rows, graded, strict=True):
        counts = item.report.summary()
        assert {k: int(row[k]) for k in ("passed", "failed", "not_started", "total")} == counts
        for exercise_id in ("ex_a", "ex_b", "ex_c"):
            assert row[exercise_id] == statuses(item).get(exercise_id, "")
        assert row["error"] == (item.report.error.kind if item.report.error else "")


def test_csv_keeps_free_text_from_being_read_as_a_formula() -> None:
    rows = list(csv.DictReader(io.StringIO(grades_csv(small_class()))))
    assert rows[2]["workbook"] == "'=carol.py"
    assert rows[3]["error_message"] == "'=1+1 invalid syntax at line 1"


def test_junit_agrees_with_the_results() -> None:
    graded = small_class()
    root = ET.fromstring(junit_xml(graded))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alice", "bob", "carol", "dave"]
    for suite, item in zip(suites, graded, strict=True):
        counts = item.report.summary()
        assert int(suite.get("failures", -1)) == counts["failed"]
        assert int(suite.get("skipped", -1)) == counts["not_started"]
        for case in suite.findall("testcase"):
            status = statuses(item).get(case.get("name", ""))
            outcome = "failed" if case.find("failure") is not None else "passed"
            outcome = "not_started" if case.find("skipped") is not None else outcome
            if case.find("error") is not None:
                assert case.get("name") == "workbook" and item.report.error is not None
            else:
                assert outcome == status
    assert root.get("failures") == "3" and root.get("errors") == "1"


def test_junit_failure_names_the_problem_kind_and_message() -> None:
    root = ET.fromstring(junit_xml(small_class()))
    failure = root.find("testsuite[@name='bob']/testcase[@name='ex_c']/failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == (
        "wrong_values",
        "ex_c has wrong_values",
    )
    assert failure.text == (
        "wrong_values: ex_c has wrong_values [ex_c()]\nnot_finite: ex_c has not_finite [ex_c()]"
    )


def test_junit_replaces_characters_xml_cannot_hold() -> None:
    root = ET.fromstring(junit_xml(small_class()))  # would raise on a NUL
    failure = root.find("testsuite[@name='carol']/testcase[@name='ex_b']/failure")
    assert failure is not None
    assert failure.get("message") == '<script>x</script>\\x00 & "q"'


def test_gradescope_scores_a_point_per_passed_exercise() -> None:
    graded = small_class()
    results = gradescope_results(graded[1], exercise_order(graded))
    assert results["score"] == 1.0
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in results["tests"]] == [
        ("ex_a (Building tensors)", 1.0, 1.0, "passed"),
        ("ex_b (Building tensors)", 0.0, 1.0, "failed"),
        ("ex_c (Building tensors)", 0.0, 1.0, "failed"),
    ]


def test_gradescope_lists_every_exercise_for_a_workbook_that_could_not_be_checked() -> None:
    graded = small_class()
    results = gradescope_results(graded[3], exercise_order(graded))
    assert results["score"] == 0.0
    assert len(results["tests"]) == 3
    assert results["output"] == (
        "Your workbook could not be checked (syntax_error): =1+1 invalid syntax at line 1"
    )


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


def test_html_charts_and_table_agree_with_the_results() -> None:
    graded = small_class()
    page = parse(class_report_html(graded))
    rates = {a["data-exercise"]: a for t, a in page.tags if a.get("data-chart") == "pass-rate"}
    for exercise_id in ("ex_a", "ex_b", "ex_c"):
        counted = [statuses(g).get(exercise_id, "unchecked") for g in graded]
        shown = rates[exercise_id]
        for status in ("passed", "failed", "not_started", "unchecked"):
            assert shown[f"data-{status.replace('_', '-')}"] == str(counted.count(status))
    rows = {a["data-submission"]: a for t, a in page.tags if t == "tr" and "data-submission" in a}
    for item in graded:
        counts = item.report.summary()
        assert rows[item.submission]["data-passed"] == str(counts["passed"])
        assert rows[item.submission]["data-failed"] == str(counts["failed"])
    kinds = {
        a["data-exercise"]: a["data-kinds"] for t, a in page.tags if a.get("data-chart") == "kinds"
    }
    assert kinds == {"ex_b": "wrong_shape=2", "ex_c": "not_finite=1;wrong_values=1"}
    assert "2/4 passed (50%)" in "".join(page.text)


def test_html_hardest_exercises_are_ranked_by_failures_of_those_who_tried() -> None:
    stats = exercise_stats(small_class())
    assert [(s.id, s.failed, s.attempted) for s in hardest(stats)] == [
        ("ex_b", 2, 3),
        ("ex_c", 1, 2),
    ]


def test_html_is_one_self_contained_page() -> None:
    page = class_report_html(small_class())
    elements = parse(page)
    assert not [t for t, _ in elements.tags if t in ("link", "img", "iframe")]
    assert [a for t, a in elements.tags if t == "script"] == [{}]  # one inline script, no src
    urls = [v for _, a in elements.tags for k, v in a.items() if k in ("src", "href") and v]
    within = [url for url in urls if url.startswith("#student-")]  # links within the page
    handed_back = [url for url in urls if re.fullmatch(r"feedback/[\w.-]+\.(html|md)", url)]
    assert within and sorted(within + handed_back) == sorted(urls)  # and each feedback file
    assert len(handed_back) == 2 * len(small_class())
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_html_escapes_what_learners_wrote() -> None:
    graded = [
        *small_class(),
        Graded("eve", report("eve.py", error=FileError("crashed", "<b>x</b>"))),
    ]
    page = class_report_html(graded)
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_reports_of_an_empty_class_are_still_written() -> None:
    assert grades_csv([]).startswith("submission,workbook,score,max_score,percent,flag,passed")
    assert ET.fromstring(junit_xml([])).get("tests") == "0"
    assert "0 submissions" in class_report_html([])


def test_every_problem_kind_has_a_colour_of_its_own() -> None:
    colours = [charts.kind_colour(kind) for kind in PROBLEM_KINDS]
    assert len(set(colours)) == len(PROBLEM_KINDS)
    assert not set(colours) & set(charts.STATUS_COLOURS.values())
