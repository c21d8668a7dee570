"""One act of tampering reads as one problem, however many ways the checker saw it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tensorlings.checker.check import check_path, folded
from tensorlings.checker.results import Problem

STACK_READ = """
# %%
import sys
import torch

def relu_abs(x):
    frame = sys._getframe(0)
    return (x + x.abs()) / 2
"""


def test_one_stack_read_is_one_tampering_problem_with_every_act_listed(zygote, tmp_path: Path):
    path = tmp_path / "workbook.py"
    path.write_text(textwrap.dedent(STACK_READ), encoding="utf-8")
    (result,) = check_path(path, zygote=zygote, exercise_ids=["relu_abs"]).exercises
    assert result.status == "failed"
    assert [p.kind for p in result.problems] == ["tampering"]
    (problem,) = result.problems
    assert "sys._getframe" in problem.message and problem.line == 7
    assert len(problem.details["acts"]) == 2  # refused at run time, and found by the scan


def test_folding_keeps_other_problems_and_a_lone_act_as_it_is():
    lone = Problem("tampering", "reads the call stack.")
    wrong = Problem("wrong_values", "relu_abs(x=...) gave the wrong values")
    assert folded((lone, wrong)) == (lone, wrong)
    raised = Problem("exception", "relu_abs(x=...) raised Tampering at line 3: not allowed")
    second = Problem("tampering", "relu_abs uses ._getframe (line 3). Remove it.", line=3)
    one, *rest = folded((lone, raised, second, wrong))
    assert rest == [wrong]
    assert one.kind == "tampering" and one.line == 3
    assert one.message.startswith("reads the call stack.")
    assert "Also seen: relu_abs uses ._getframe (line 3)" in one.message


def test_an_exception_named_tampering_alone_is_not_folded_away():
    mine = Problem("exception", "relu_abs(x=...) raised Tampering at line 3: my own class")
    assert folded((mine,)) == (mine,)
