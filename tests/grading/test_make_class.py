"""bench/make_class.py, which makes the classes the grading bench grades."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tensorlings.grading.submissions import resolve

BENCH = Path(__file__).parents[2] / "bench" / "make_class.py"


@pytest.fixture(scope="module")
def make_class() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_make_class", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_mistake_replaces_a_function_of_the_reference(make_class: ModuleType) -> None:
    reference = make_class.workbook_text(stub=False, notebook=False)
    for variant in (*make_class.WRONG, *make_class.HAZARDOUS):
        changed = make_class.replace_body(reference, variant.function, variant.body)
        assert changed != reference
        assert variant.body.splitlines()[0] in changed


def test_a_class_mixes_every_kind_and_each_is_one_submission(
    make_class: ModuleType, tmp_path: Path
) -> None:
    expected = make_class.make_class(tmp_path, 40, seed=3)
    kinds = {value.split(":")[0] for value in expected.values()}
    assert kinds == {"correct", "wrong", "hazardous", "not_started"}
    found = resolve(sorted(p for p in tmp_path.iterdir() if not p.name.startswith(".")))
    assert [s.name for s in found] == sorted(expected)
    assert all(s.workbook is not None for s in found)
    assert json.loads((tmp_path / ".expected.json").read_text()) == expected
