"""A class graded for real, as an instructor would: every odd upload flagged, shared mistakes
grouping exactly the submissions that made them, and scores under a config."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tensorlings.grading.config import parse_config
from tensorlings.grading.grade import grade

pytestmark = pytest.mark.slow

BENCH = Path(__file__).parents[2] / "bench" / "make_class.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_make_class_report", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path, ModuleType]:
    make = bench_module()
    folder = tmp_path_factory.mktemp("class")
    wrong = [v for v in make.WRONG if v.name != "raises"]
    variants = (*wrong, *wrong, make.CORRECT, make.NOT_STARTED, *make.ODD)
    expected = make.make_class(folder / "submissions", len(variants), variants=variants)
    config = parse_config({"weights": {"default": 1, "batched_softmax": 4}})
    out = folder / "grades"
    paths = sorted(p for p in (folder / "submissions").iterdir() if not p.name.startswith("."))
    grade(paths, out, jobs=2, config=config)
    return expected, json.loads((out / "class.json").read_text()), out, make


def test_every_odd_upload_is_flagged_and_nothing_else(graded) -> None:
    expected, report, _, make = graded
    flags = {s["name"]: s["flag"] for s in report["submissions"]}
    assert flags == {name: make.EXPECTED_FLAGS.get(made) for name, made in expected.items()}


def test_shared_mistakes_group_exactly_the_submissions_that_made_them(graded) -> None:
    expected, report, _, make = graded
    wanted = make.shared_groups(expected)
    found = {(g["exercise"], tuple(g["submissions"])) for g in report["shared_mistakes"]}
    for (exercise, _), names in wanted.items():
        assert (exercise, tuple(names)) in found
    # A mistake may also show in an exercise whose workbook code calls the wrong function
    # (cross-entropy through the learner's own logsumexp): still the same students, never a mix.
    assert {names for _, names in found} == {tuple(names) for names in wanted.values()}
    for group in report["shared_mistakes"]:
        assert group["count"] == len(group["submissions"]) == 2
        assert group["example"]["submission"] in group["submissions"]
        assert group["example"]["message"]


def test_scores_follow_the_config_and_agree_with_grades_csv(graded) -> None:
    expected, report, out, _ = graded
    assert report["max_score"] == 35 + 4
    rows = {row["submission"]: row for row in csv.DictReader((out / "grades.csv").open())}
    for submission in report["submissions"]:
        passed = [e for e in submission["exercises"] if e["status"] == "passed"]
        points = sum(4 if e["id"] == "batched_softmax" else 1 for e in passed)
        assert submission["score"] == points
        assert submission["percent"] == round(100 * points / 39, 2)
        assert float(rows[submission["name"]]["score"]) == points
        assert float(rows[submission["name"]]["percent"]) == submission["percent"]
    correct = [n for n, made in expected.items() if made == "correct:reference"]
    assert {s["name"]: s["percent"] for s in report["submissions"]}[correct[0]] == 100


def test_the_class_json_of_a_real_run_keeps_to_its_published_schema(graded) -> None:
    from schema_helpers import published

    _, report, _, _ = graded
    published("class.json").validate(report)
    assert {e["status"] for s in report["submissions"] for e in s["exercises"]} >= {
        "passed",
        "failed",
    }
