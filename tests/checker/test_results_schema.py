"""`check --json` keeps to its published schema (docs/reference/schemas/check.json): a real
check of a small workbook validates, and a report off the schema is refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from schema_helpers import as_printed, published
from tensorlings.checker.check import check_path

CORPUS = Path(__file__).parent / "seed_corpus"
# Passed with an edge-case note, failed with a named mistake, failed on shape; one left alone.
EXERCISES = ["total_price_gather", "integer_array_indexing", "collect_columns", "relu_where"]


@pytest.fixture(scope="module")
def checked(zygote: Any) -> dict[str, Any]:
    report = check_path(
        CORPUS / "indexing_b.py", exercise_ids=EXERCISES, zygote=zygote, coach=False
    )
    data = as_printed(report.to_json())
    assert isinstance(data, dict)
    return data


def test_a_real_check_report_validates(checked: dict[str, Any]) -> None:
    published("check.json").validate(checked)
    statuses = {e["id"]: e["status"] for e in checked["exercises"]}
    assert statuses["integer_array_indexing"] == "failed"  # the report is not an empty one
    assert any("mistake" in p for e in checked["exercises"] for p in e["problems"])
    assert any(p.get("fails") is False for e in checked["exercises"] for p in e["problems"])


def test_a_file_that_could_not_be_checked_validates(tmp_path: Path, zygote: Any) -> None:
    path = tmp_path / "workbook.py"
    path.write_text("def relu(x:\n    return x\n", encoding="utf-8")
    data = as_printed(check_path(path, zygote=zygote).to_json())
    published("check.json").validate(data)
    assert isinstance(data, dict) and data["error"]["kind"] == "syntax_error"


def _exercise(doc: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in doc["exercises"] if e["problems"])


@pytest.mark.parametrize(
    "spoil",
    [
        lambda doc: _exercise(doc).update(status="won"),  # not a status
        lambda doc: _exercise(doc)["problems"][0].update(kind="wrong_answer"),  # not a kind
        lambda doc: doc.pop("summary"),  # a required field missing
        lambda doc: _exercise(doc)["problems"][0].update(colour="red"),  # a field not declared
        lambda doc: doc.update(schema="tensorlings.check/2"),  # another schema's document
        lambda doc: doc["summary"].update(passed="1"),  # a count as a string
    ],
    ids=["status", "kind", "missing", "undeclared", "schema", "type"],
)
def test_a_report_off_the_schema_is_refused(checked: dict[str, Any], spoil: Any) -> None:
    doc = copy.deepcopy(checked)
    spoil(doc)
    with pytest.raises(jsonschema.ValidationError):
        published("check.json").validate(doc)
