"""JSON Schemas (draft 2020-12) drawn from the types that describe our JSON outputs.

Each output (`check --json`, grade's class.json, `pack check --json`) has a TypedDict that its
builder is annotated with, so mypy holds the builder to it; this module turns such a TypedDict,
the enums and the other types it names into a schema. The output is plain data in a fixed
order, so `devtools check-drift` can compare it byte for byte with the published file.

>>> from typing import TypedDict
>>> class Point(TypedDict):
...     x: int
>>> schema_of(Point, "urn:point", "A point")["$defs"]["Point"]["properties"]
{'x': {'type': 'integer'}}
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    Any: {},
}


def schema_of(root: type, schema_id: str, title: str) -> dict[str, Any]:
    """The schema of documents shaped as `root` (a TypedDict), with every named type in $defs."""
    defs: dict[str, Any] = {}
    top = _Drawer(defs).draw(root)
    return {"$schema": DRAFT, "$id": schema_id, "title": title, **top, "$defs": defs}


class _Drawer:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def draw(self, tp: Any) -> dict[str, Any]:
        if tp in _SCALARS:
            return dict(_SCALARS[tp])
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is typing.Literal:
            return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.draw(a) for a in args]}
        if origin in (list, tuple, Sequence):
            item = args[0] if args else Any
            return {"type": "array", "items": self.draw(item)}
        if origin in (dict, Mapping):
            return {"type": "object", "additionalProperties": self.draw(args[1])}
        if inspect.isclass(tp) and issubclass(tp, enum.Enum):
            return self._named(tp, lambda: {"enum": [m.value for m in tp]})
        if typing.is_typeddict(tp):
            return self._named(tp, lambda: self._object(tp))
        raise TypeError(f"no JSON Schema for {tp!r}: describe the output with JSON types")

    def _named(self, tp: type, make: Any) -> dict[str, Any]:
        name = tp.__name__
        if name not in self.defs:
            self.defs[name] = {}  # reserved first: a type may name itself
            self.defs[name] = {"description": _summary(tp), **make()}
        return {"$ref": f"#/$defs/{name}"}

    def _object(self, tp: Any) -> dict[str, Any]:
        hints = typing.get_type_hints(tp)
        required = [name for name in hints if name in tp.__required_keys__]
        return {
            "type": "object",
            "properties": {name: self.draw(hint) for name, hint in hints.items()},
            "required": required,
            "additionalProperties": False,
        }


def _summary(tp: type) -> str:
    doc = inspect.getdoc(tp) or tp.__name__
    return " ".join(doc.split("\n\n")[0].split())
