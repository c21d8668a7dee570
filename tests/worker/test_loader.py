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
