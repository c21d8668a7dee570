"""The schema generator: TypedDicts, enums and JSON types become draft 2020-12 schemas that
jsonschema accepts, and a type with no JSON form is refused by name."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

import jsonschema
import pytest

from tensorlings.json_schema import schema_of
from tensorlings.vocab import Status


class _Base(TypedDict):
    """A row of the test's documents."""

    name: str
    status: Status
    score: float | None


class _Row(_Base, total=False):
    tags: list[str]
    extra: dict[str, Any]


class _Doc(TypedDict):
    """The test's document."""

    schema: Literal["test/1"]
    rows: list[_Row]


def _validator() -> jsonschema.Draft202012Validator:
    schema = schema_of(_Doc, "urn:test", "Test")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_a_document_of_the_typeddict_validates() -> None:
    doc = {"schema": "test/1", "rows": [{"name": "a", "status": "passed", "score": None}]}
    doc["rows"].append({"name": "b", "status": "failed", "score": 1.5, "tags": ["x"]})
    _validator().validate(doc)


@pytest.mark.parametrize(
    "row",
    [
        {"name": "a", "status": "won", "score": 1.0},  # not a Status
        {"name": "a", "status": "passed"},  # a required key missing
        {"name": "a", "status": "passed", "score": 1.0, "colour": "red"},  # a key not declared
        {"name": 3, "status": "passed", "score": 1.0},  # the wrong JSON type
    ],
)
def test_a_document_off_its_type_is_refused(row: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate({"schema": "test/1", "rows": [row]})


def test_named_types_are_defined_once_with_their_docstring() -> None:
    schema = schema_of(_Doc, "urn:test", "Test")
    assert schema["$ref"] == "#/$defs/_Doc"
    assert schema["$defs"]["Status"]["enum"] == ["passed", "failed", "not_started"]
    assert schema["$defs"]["_Row"]["required"] == ["name", "status", "score"]
    assert schema["$defs"]["_Doc"]["description"] == "The test's document."


def test_a_type_without_a_json_form_is_refused_by_name() -> None:
    class _Odd(TypedDict):
        when: complex

    with pytest.raises(TypeError, match="no JSON Schema for <class 'complex'>"):
        schema_of(_Odd, "urn:odd", "Odd")
