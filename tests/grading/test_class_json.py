"""class.json: scores, flags, verdicts and shared mistakes, as docs/reference/json.md says."""

from __future__ import annotations

import json

from grading_helpers import mistakes_class

from tensorlings.grading.config import parse_config
from tensorlings.grading.model import ClassContext
from tensorlings.grading.reports import class_json


def test_class_json_holds_scores_flags_and_shared_mistakes() -> None:
    config = parse_config({"weights": {"ex_b": 2}, "notes": {"edge_case_cost": 0.5}})
    data = class_json(mistakes_class(), ClassContext(config=config, seed=11))
    json.dumps(data)  # plain JSON data
    assert (data["schema"], data["seed"], data["max_score"]) == ("tensorlings.class/1", 11, 4)
    rows = {s["name"]: (s["score"], s["max_score"], s["percent"], s["flag"])
            for s in data["submissions"]}  # fmt: skip
    assert rows == {
        "ann": (1.0, 4.0, 25.0, None),
        "ben": (1.0, 4.0, 25.0, None),
        "cat": (2.0, 4.0, 50.0, None),
        "dan": (3.5, 4.0, 87.5, None),
        "eve": (0.0, 4.0, 0.0, "empty"),
    }
    dan = {e["id"]: e for e in data["submissions"][3]["exercises"]}
    assert dan["ex_a"]["notes"][0]["kind"] == "edge_case" and dan["ex_a"]["problems"] == []
    assert dan["ex_a"]["points"] == 0.5
    ann = {e["id"]: e for e in data["submissions"][0]["exercises"]}
    assert ann["ex_b"]["problems"][0]["mistake"] == "population standard deviation"
    assert ann["ex_b"]["problems"][0]["call"] == "ex_b(x=tensor([1.]))"
    assert [
        (m["exercise"], m["mistake"], m["submissions"], m["count"])
        for m in data["shared_mistakes"]
    ] == [
        ("ex_b", "population standard deviation", ["ann", "ben", "cat"], 3),
        ("ex_c", "same wrong values on ex_c(x=tensor([1.])): got 5.0 where 1.0 is expected "
         "(index [0])", ["ann", "ben"], 2),
    ]  # fmt: skip
    assert data["shared_mistakes"][0]["example"]["submission"] == "ann"
    assert [e["weight"] for e in data["exercises"]] == [1.0, 2.0, 1.0]


def test_class_json_keeps_to_its_published_schema() -> None:
    from schema_helpers import as_printed, published

    data = as_printed(class_json(mistakes_class(), ClassContext(seed=11)))
    published("class.json").validate(data)
    assert isinstance(data, dict)
    data["submissions"][0]["exercises"][0]["status"] = "won"
    assert not published("class.json").is_valid(data)
