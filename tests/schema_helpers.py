"""The JSON Schemas published in docs/reference/schemas, as validators for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

SCHEMAS = Path(__file__).parents[1] / "docs" / "reference" / "schemas"


def published(name: str) -> jsonschema.Draft202012Validator:
    """The validator of a published schema (`check.json`, `class.json`, ...), itself checked."""
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_printed(data: object) -> object:
    """The document as a reader of the printed JSON gets it (enums become their strings)."""
    return json.loads(json.dumps(data))
