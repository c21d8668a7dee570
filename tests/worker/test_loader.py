"""The loader runs a learner's file as a module would run: what the standard library expects of
a module (its entry in sys.modules) is there."""

from __future__ import annotations

import textwrap

from tensorlings.worker.loader import LoadBudget, load

DATACLASS_FILE = """
from dataclasses import dataclass, field

@dataclass
class Config:
    days: int = 7
    names: list = field(default_factory=list)

CONFIG = Config()
"""


def test_a_dataclass_in_the_file_loads_and_is_usable_in_both_namespaces():
    units = [{"line": 1, "code": textwrap.dedent(DATACLASS_FILE)}]
    budget = LoadBudget(statement_seconds=5.0, total_seconds=10.0)
    result = load(units, "/tmp/learner.py", set(), budget, lambda line, definition: None)
    assert result.notes == []
    assert result.notebook["CONFIG"].days == 7
    assert result.judged["Config"](days=5).days == 5


BLOCK_ASSIGNMENTS = """
import sys
IN_COLAB = "google.colab" in sys.modules
if IN_COLAB:
    root = "/content"
else:
    root = "."
for _ in range(1):
    label = "loop"

def where():
    return root, label
"""


def test_names_a_top_level_block_assigns_reach_the_functions():
    units = [{"line": 1, "code": textwrap.dedent(BLOCK_ASSIGNMENTS)}]
    budget = LoadBudget(statement_seconds=5.0, total_seconds=10.0)
    result = load(units, "/tmp/learner.py", set(), budget, lambda line, definition: None)
    assert result.judged["root"] == "."
    assert result.judged["label"] == "loop"


SKIPPED_INSIDE = """
ran = []
if True:
    ran.append("kept")
    ran.append("skipped")
"""


def test_a_skipped_statement_inside_a_block_is_not_run():
    units = [{"line": 1, "code": textwrap.dedent(SKIPPED_INSIDE)}]
    budget = LoadBudget(statement_seconds=5.0, total_seconds=10.0)
    result = load(units, "/tmp/learner.py", {5}, budget, lambda line, definition: None)
    assert result.notebook["ran"] == ["kept"]
