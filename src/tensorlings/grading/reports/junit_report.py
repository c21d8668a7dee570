"""junit.xml: a test suite per submission, a test case per exercise, for CI dashboards."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from tensorlings.checker.results import ExerciseResult
from tensorlings.grading.model import Graded
from tensorlings.grading.reports.text import NOT_STARTED, failure_text, notes_text
from tensorlings.grading.safe_text import safe_text
from tensorlings.vocab import Status

# Characters XML 1.0 cannot hold at all (learner output may contain any of them).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_xml(graded: Sequence[Graded], *, weak_isolation: bool = False) -> str:
    """The JUnit XML text: failed is a <failure>, not started is <skipped>, a file that could
    not be checked is one <error> test case named "workbook"."""
    root = ET.Element("testsuites", name="tensorlings grade")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    seconds = 0.0
    for item in graded:
        suite = _suite(item, weak_isolation)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += float(suite.get("time", "0"))
    root.attrib.update({key: str(value) for key, value in totals.items()})
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(item: Graded, weak_isolation: bool) -> ET.Element:
    report = item.report
    counts = report.summary()
    suite = ET.Element("testsuite", name=item.submission, file=_clean(report.file))
    properties = ET.SubElement(suite, "properties")
    facts = (
        ("seed", report.seed), ("torch", report.torch), ("device", report.device),
        ("flag", item.flag or ""), ("isolation", "weak" if weak_isolation else "full"),
        ("workbook_choice", item.choice_note()),
    )  # fmt: skip
    for name, value in facts:
        ET.SubElement(properties, "property", name=name, value=_clean(str(value)))
    if report.error is not None:
        case = ET.SubElement(suite, "testcase", classname=item.submission, name="workbook")
        error = ET.SubElement(
            case, "error", type=report.error.kind, message=_clean(report.error.message)
        )
        error.text = _clean(report.error.message)
    for result in report.exercises:
        suite.append(_case(item.submission, result))
    errors = 1 if report.error is not None else 0
    suite.attrib.update(
        tests=str(counts["total"] + errors),
        failures=str(counts["failed"]),
        errors=str(errors),
        skipped=str(counts["not_started"]),
        time=f"{sum(r.duration_s for r in report.exercises):.3f}",
    )
    return suite


def _case(submission: str, result: ExerciseResult) -> ET.Element:
    case = ET.Element(
        "testcase", classname=submission, name=result.id, time=f"{result.duration_s:.3f}"
    )
    text = _clean(failure_text(result))
    notes = _clean(notes_text(result))
    if result.status == Status.FAILED:
        failing = [p for p in result.problems if p.fails]
        first = failing[0] if failing else None
        failure = ET.SubElement(
            case,
            "failure",
            type=first.kind if first else "failed",
            message=_clean(first.message if first else "failed"),
        )
        failure.text = text
    elif result.status == Status.NOT_STARTED:
        ET.SubElement(case, "skipped", message=NOT_STARTED)
    if notes:  # apart from the failure: notes never fail the test case
        ET.SubElement(case, "system-out").text = notes
    if result.output:
        ET.SubElement(case, "system-err").text = _clean(result.output)
    return case


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", safe_text(text))
