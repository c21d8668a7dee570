"""Attacks that the allowlist (checker/policy.py) and the file's record of facts
(checker/facts.py) stop in the checker's own process, before any learner code runs: forbidden
functions bound to the exercise name, decoys, decorators that swap code, attribute walks
through format fields and `reduce(getattr, ...)`, dispatch modes, traced and compiled graphs,
loops in other spellings, asserts that can never run, private aliases. Each problem names the
construct and its line; the harmless lines of real learners' files beside them still pass."""

from __future__ import annotations

import textwrap

import pytest
from attack_helpers import assert_failed_with, assert_healthy_passed, results

pytestmark = pytest.mark.slow

FIRST_HAZARD_LINE = 7  # conftest's header and cell marker come first
CLEAN_EYE = "(t.arange(n)[:, None] == t.arange(n)).float()"


def line_of(hazard: str, marker: str = "# <-") -> int:
    lines = textwrap.dedent(hazard).splitlines()
    return FIRST_HAZARD_LINE + next(i for i, text in enumerate(lines) if marker in text)


def problem_naming(result, kind: str, construct: str, line: int) -> None:
    found = [p for p in result.problems if p.fails and p.kind == kind]
    assert found, [(p.kind, p.message) for p in result.problems]
    texts = [p.message for p in found] + [a for p in found for a in p.details.get("acts", [])]
    assert any(construct in text and f"line {line}" in text for text in texts), texts


# (hazard, exercise, kind, construct named in the message)
STATIC_ATTACKS = {
    "partial_bound_to_the_name": (
        """
        import functools
        batched_logsumexp = functools.partial(torch.logsumexp, dim=-1)  # <-
        """,
        "batched_logsumexp", "forbidden_call", "logsumexp",
    ),
    "alias_bound_to_the_name": (
        """
        identity_matrix = t.eye  # <-
        """,
        "identity_matrix", "forbidden_call", "eye",
    ),
    "imported_under_the_name": (
        """
        from torch import eye as identity_matrix  # <-
        """,
        "identity_matrix", "forbidden_call", "eye",
    ),
    "decoy_definition_then_rebinding": (
        f"""
        def made_by_eye(n):
            return t.eye(n)  # <-

        def identity_matrix(n):
            return {CLEAN_EYE}

        identity_matrix = made_by_eye
        """,
        "identity_matrix", "forbidden_call", "eye",
    ),
    "rebinding_through_global": (
        f"""
        def identity_matrix(n):
            return {CLEAN_EYE}

        def setup():
            global identity_matrix
            identity_matrix = lambda n: t.eye(n)  # <-

        setup()
        """,
        "identity_matrix", "forbidden_call", "eye",
    ),
    "constant_computed_at_load": (
        """
        TABLE = t.eye(64)  # <-

        def identity_matrix(n):
            return TABLE[:n, :n].clone()
        """,
        "identity_matrix", "forbidden_call", "eye",
    ),
    "forbidden_function_passed_as_a_value": (
        """
        import functools

        def batched_logsumexp(matrix):
            pick = torch.logsumexp  # <-
            return pick(matrix, -1)
        """,
        "batched_logsumexp", "forbidden_call", "logsumexp",
    ),
    "decorator_swapping_the_code": (
        f"""
        def swap(function):
            function.__code__ = made_by_eye.__code__  # <-
            return function

        def made_by_eye(n):
            return t.eye(n)

        @swap
        def identity_matrix(n):
            return {CLEAN_EYE}
        """,
        "identity_matrix", "tampering", "__code__",
    ),
    "format_field_walking_attributes": (
        """
        def identity_matrix(n):
            found = "{0.__globals__}".format(identity_matrix)  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "format field",
    ),
    "format_string_computed": (
        """
        def identity_matrix(n):
            field = "{0." + "__globals__}"
            found = field.format(identity_matrix)  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "format string computed",
    ),
    "reduce_getattr_walk": (
        """
        import functools

        def identity_matrix(n):
            frame = functools.reduce(getattr, ["f_back"], None)  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "getattr used as a value",
    ),
    "function_mode": (
        """
        class Hide(torch.overrides.TorchFunctionMode):  # <-
            pass

        def identity_matrix(n):
            with Hide():
                return t.eye(n)
        """,
        "identity_matrix", "tampering", "torch.overrides",
    ),
    "dispatch_mode": (
        """
        from torch.utils._python_dispatch import TorchDispatchMode  # <-

        class Hide(TorchDispatchMode):
            pass

        def identity_matrix(n):
            with Hide():
                return t.eye(n)
        """,
        "identity_matrix", "tampering", "_python_dispatch",
    ),
    "torch_function_handler": (
        """
        class Sneaky(torch.Tensor):
            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):  # <-
                return super().__torch_function__(func, types, args, kwargs or {})

        def identity_matrix(n):
            return t.ones(n, n).tril().triu().as_subclass(Sneaky)
        """,
        "identity_matrix", "tampering", "__torch_function__",
    ),
    "compiled_graph": (
        """
        def identity_matrix(n):
            return torch.compile(lambda k: t.eye(k))(n)  # <-
        """,
        "identity_matrix", "tampering", "torch.compile",
    ),
    "traced_graph": (
        """
        def identity_matrix(n):
            graph = torch.fx.symbolic_trace(lambda k: k)  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "torch.fx",
    ),
    "private_alias": (
        """
        def identity_matrix(n):
            return torch._C._VariableFunctions.eye(n)  # <-
        """,
        "identity_matrix", "tampering", "_C",
    ),
    "private_module_imported": (
        """
        import torch._refs as refs  # <-

        def identity_matrix(n):
            return refs.eye(n)
        """,
        "identity_matrix", "tampering", "torch._refs",
    ),
    "frame_from_a_traceback": (
        """
        import sys

        def identity_matrix(n):
            try:
                raise ValueError
            except ValueError as error:
                frame = error.__traceback__.tb_frame  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "tb_frame",
    ),
    "stdlib_outside_the_allowlist": (
        """
        import gc

        def identity_matrix(n):
            gc.collect()  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "gc",
    ),
    "write_under_proc": (
        """
        from pathlib import Path

        def identity_matrix(n):
            Path("/proc/self/" + "mem")  # <-
            return t.ones(n, n).tril().triu()
        """,
        "identity_matrix", "tampering", "/proc",
    ),
    "loop_by_functools_reduce": (
        """
        import functools

        def sample_distribution(probs, n):
            total = functools.reduce(lambda a, b: a + b, probs)  # <-
            cumulative = torch.cumsum(probs, dim=0) / total
            return torch.searchsorted(cumulative, torch.rand(n), right=True)
        """,
        "sample_distribution", "uses_loop", "functools.reduce",
    ),
    "loop_inside_a_class": (
        """
        class Helper:
            def total(self, probs):
                return sum(p for p in probs)  # <-

        def sample_distribution(probs, n):
            cumulative = torch.cumsum(probs, dim=0) / Helper().total(probs)
            return torch.searchsorted(cumulative, torch.rand(n), right=True)
        """,
        "sample_distribution", "uses_loop", "generator expression",
    ),
    "loop_by_recursion": (
        """
        def total(probs):  # <-
            return probs[0] if len(probs) == 1 else probs[0] + total(probs[1:])

        def sample_distribution(probs, n):
            cumulative = torch.cumsum(probs, dim=0) / total(probs)
            return torch.searchsorted(cumulative, torch.rand(n), right=True)
        """,
        "sample_distribution", "uses_loop", "recursion",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(STATIC_ATTACKS))
def test_a_static_attack_fails_naming_the_construct_and_its_line(check_hazard, name):
    hazard, exercise, kind, construct = STATIC_ATTACKS[name]
    report = check_hazard(hazard, ids=[exercise])
    result = assert_failed_with(report, exercise, kind)
    problem_naming(result, kind, construct, line_of(hazard))
    assert_healthy_passed(report, exercise)


ASSERTS_AFTER_RETURN = """
def gather_2d(matrix, indexes):
    out = matrix.gather(1, indexes)
    return out
    assert out.shape == indexes.shape
    assert indexes.max() < matrix.shape[1]
    assert out.dtype == matrix.dtype
"""


def test_asserts_after_return_do_not_count_as_the_learners_own(check_hazard):
    report = check_hazard(ASSERTS_AFTER_RETURN, ids=["gather_2d"])
    result = assert_failed_with(report, "gather_2d", "missing_call")
    assert any("it has 0" in p.message for p in result.problems), result.problems
    assert_healthy_passed(report, "gather_2d")


def test_tampering_in_a_function_no_exercise_reaches_fails_nothing(check_hazard):
    report = check_hazard(
        f"""
        import gc

        def unused_helper():
            return gc.get_objects()

        def identity_matrix(n):
            return {CLEAN_EYE}
        """,
        ids=["identity_matrix"],
    )
    assert results(report)["identity_matrix"].status == "passed"
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.parametrize(
    ("statement", "construct"),
    [
        ("found = vars(torch)  # <-", "vars"),
        ("import math\nmath.prod = lambda *args: 0  # <-", "math.prod"),
        ("import json\njson.dumps = lambda *args, **kwargs: '{}'  # <-", "json.dumps"),
        ("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)  # <-", "signal"),
        ("torch.allclose = lambda *args, **kwargs: True  # <-", "torch.allclose"),
    ],
    ids=["vars", "math_prod", "json_dumps", "signal", "torch_allclose"],
)
def test_tampering_at_top_level_fails_every_exercise(check_hazard, statement, construct):
    hazard = f"{statement}\n\ndef identity_matrix(n):\n    return {CLEAN_EYE}\n"
    report = check_hazard(hazard, ids=["identity_matrix"])
    for result in report.exercises:
        problem_naming(result, "tampering", construct, line_of(hazard))


REAL_LEARNER_LINES = """
import os
import sys
import functools
import itertools
import warnings
from collections import namedtuple
from pathlib import Path
from typing import Callable, Optional
from part2_utils import plot_everything
import fancy_course_helpers as helpers

sys.path.append(str(Path.cwd() / "exercises"))
sys.path.insert(0, os.getcwd())
os.chdir(os.path.dirname(os.path.abspath(__file__)) if "__file__" in dir() else ".")
os.environ["KMP_DUPLICATE_LIB_OK"] = "TRUE"
IN_COLAB = "google.colab" in sys.modules
warnings.filterwarnings("ignore")
torch.backends.cudnn.deterministic = True
MAIN = __name__ == "__main__"
Pair = namedtuple("Pair", "rows cols")


class Grid(torch.nn.Module):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __repr__(self) -> str:
        return f"Grid({self.n})"


def identity_matrix(n: int) -> torch.Tensor:
    size = Pair(n, n)._replace(cols=n)
    rows = getattr(t, "arange")(size.rows)
    print(f"{type(rows).__name__} of shape {rows.shape}", "{:.3f}".format(1.0))
    same = functools.partial(torch.eq, rows[:, None])
    return same(rows).float()


if __name__ == "__main__":
    print(identity_matrix(3), Grid(3), list(itertools.product(range(2), repeat=2)))
"""


def test_the_harmless_lines_of_real_learners_files_still_pass(check_hazard):
    report = check_hazard(REAL_LEARNER_LINES, ids=["identity_matrix"])
    result = results(report)["identity_matrix"]
    failing = [(p.kind, p.message) for p in result.problems if p.fails]
    assert result.status == "passed", failing
    assert_healthy_passed(report, "identity_matrix")


FORGED_COLAB_BLOCK = """
IN_COLAB = True  # forged: the grader skips the block whatever its test holds
if IN_COLAB:  # <-
    torch.allclose = lambda *args, **kwargs: True
    import os
    os.system("touch /tmp/forged_colab_block_ran")

    def identity_matrix(n):
        return t.zeros(n, n)
"""


def test_a_colab_only_block_never_runs_even_with_a_forged_test(check_hazard):
    report = check_hazard(FORGED_COLAB_BLOCK, ids=["identity_matrix"])
    assert results(report)["identity_matrix"].status == "not_started"
    notes = [n for n in report.load_notes if n.line == line_of(FORGED_COLAB_BLOCK)]
    assert [n.kind for n in notes] == ["notebook_line"], report.load_notes
    assert "Colab" in notes[0].message
    assert_healthy_passed(report, "identity_matrix")


SHELL_STATEMENT = """
import subprocess
subprocess.run(["sh", "-c", "echo hostile > /tmp/shell_statement_ran"])  # <-
"""


def test_a_shell_command_statement_is_skipped_unrun_like_a_pip_line(check_hazard):
    hazard = f"{SHELL_STATEMENT}\ndef identity_matrix(n):\n    return {CLEAN_EYE}\n"
    report = check_hazard(hazard, ids=["identity_matrix"])
    notes = [n for n in report.load_notes if n.line == line_of(SHELL_STATEMENT)]
    assert [n.kind for n in notes] == ["notebook_line"], report.load_notes
    assert "shell command" in notes[0].message
    assert results(report)["identity_matrix"].status == "passed"
    assert_healthy_passed(report, "identity_matrix")
