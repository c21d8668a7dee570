"""Attacks on the rule evidence: switching the recorder off, hiding calls from it, reaching it,
and private spellings of forbidden calls. Each fails with the right kind; correct code that
uses ordinary habits is never called tampering."""

from __future__ import annotations

from pathlib import Path

import pytest
from attack_helpers import assert_failed_with, assert_healthy_passed, results

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "body",
    [
        "with torch._C.DisableTorchFunction():\n        return t.eye(n)",
        "with torch._C.DisableTorchFunctionSubclass():\n        return t.eye(n)",
        "mode = torch._C._pop_torch_function_stack()\n    return t.eye(n)",
        "with torch.overrides._pop_mode_temporarily():\n        return t.eye(n)",
        "mode = torch.overrides._get_current_function_mode()\n    return t.eye(n)",
        "import sys\n    sys.settrace(lambda *a: None)\n    return t.eye(n)",
        "import sys\n    sys.setprofile(lambda *a: None)\n    return t.eye(n)",
        "import gc\n    gc.get_objects()\n    return t.eye(n)",
        "import gc\n    gc.get_referrers(t)\n    return t.eye(n)",
        "import ctypes\n    ctypes.CDLL(None)\n    return t.eye(n)",
        "return eval('t.eye(n)')",
        "exec('global OUT; OUT = t.eye(n)')\n    return OUT",
        "code = compile('t.eye(n)', t.__file__, 'eval')\n    return eval(code)",
        "import sys\n    sys._getframe(1)\n    return t.eye(n)",
        "import inspect\n    inspect.currentframe().f_back\n    return t.eye(n)",
        "try:\n        raise ValueError\n    except ValueError as e:\n"
        "        e.__traceback__.tb_frame.f_back\n    return t.eye(n)",
        "identity_matrix.__globals__\n    return t.eye(n)",
        "import einops\n    einops.rearrange.__closure__[0].cell_contents\n    return t.eye(n)",
        "return torch.ops.aten.eye.default(n)",
        "return torch._refs.eye(n)",
        "from einops._backends import TorchBackend\n    return t.eye(n)",
    ],
    ids=[
        "disable_torch_function",
        "disable_subclass",
        "pop_stack",
        "pop_mode_temporarily",
        "current_mode",
        "settrace",
        "setprofile",
        "gc_objects",
        "gc_referrers",
        "ctypes",
        "eval",
        "exec",
        "compile_foreign_name",
        "getframe",
        "inspect_frame",
        "traceback_frame",
        "function_globals",
        "wrapper_closure",
        "torch_ops",
        "torch_refs",
        "einops_internals",
    ],
)
def test_switching_off_or_reaching_the_recorder_is_tampering(check_hazard, body):
    report = check_hazard(
        f"def identity_matrix(n):\n    {body}\n",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_forbidden_call_in_a_worker_thread_is_tampering(check_hazard):
    report = check_hazard(
        """
import threading

def identity_matrix(n):
    box = []
    worker = threading.Thread(target=lambda: box.append(t.eye(n)))
    worker.start()
    worker.join()
    return box[0] if box else t.zeros(n, n)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_forbidden_call_in_a_thread_pool_is_tampering(check_hazard):
    report = check_hazard(
        """
from concurrent.futures import ThreadPoolExecutor

def identity_matrix(n):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(t.eye, n).result()
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_helper_module_written_to_the_working_folder_is_tampering(check_hazard):
    report = check_hazard(
        """
import sys

def identity_matrix(n):
    with open("helper_eye.py", "w") as f:
        f.write("import torch\\ndef make(n):\\n    return torch.eye(n)\\n")
    sys.path.insert(0, ".")
    import helper_eye
    return helper_eye.make(n)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.parametrize(
    ("exercise_id", "body", "kinds"),
    [
        (
            "batched_logsoftmax",
            "return torch._softmax(matrix, 1, False).log()",
            ("forbidden_call",),
        ),
        (
            "batched_logsoftmax",
            "return torch._log_softmax(matrix, 1, False)",
            ("forbidden_call",),
        ),
        (
            "batched_cross_entropy_loss",
            "return torch._C._nn.cross_entropy_loss(logits, true_labels, None, 0)",
            ("forbidden_call", "tampering"),
        ),
        (
            "relu_maximum",
            "return torch._C._nn.hardtanh(x, 0.0, float('inf'))",
            ("forbidden_call",),
        ),
    ],
    ids=["_softmax", "_log_softmax", "_C_nn_cross_entropy", "_C_nn_hardtanh"],
)
def test_private_aliases_count_as_their_public_call(check_hazard, exercise_id, body, kinds):
    arguments = {
        "batched_logsoftmax": "matrix",
        "batched_cross_entropy_loss": "logits, true_labels",
        "relu_maximum": "x",
    }[exercise_id]
    report = check_hazard(f"def {exercise_id}({arguments}):\n    {body}\n", ids=[exercise_id])
    assert_failed_with(report, exercise_id, *kinds)
    assert_healthy_passed(report, exercise_id)


def test_tampering_at_the_top_level_fails_the_exercises(check_hazard):
    report = check_hazard(
        """
import gc
HIDDEN = [o for o in gc.get_objects() if type(o).__name__ == "CallRecorder"]

def identity_matrix(n):
    return t.eye(n)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    line = next(n.line for n in report.load_notes if n.kind == "tampering")
    assert "gc.get_objects" in Path(report.file).read_text().splitlines()[line - 1]


def test_forbidden_call_on_the_same_line_as_an_assert_counts(check_hazard):
    report = check_hazard(
        "def identity_matrix(n):\n    assert n >= 0; return t.eye(n)\n",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "forbidden_call")
    assert_healthy_passed(report, "identity_matrix")


def test_forbidden_call_inside_the_assert_itself_is_exempt(check_hazard):
    report = check_hazard(
        """
def identity_matrix(n):
    out = (t.arange(n)[:, None] == t.arange(n)).long()
    assert (out == t.eye(n)).all(); return out
""",
        ids=["identity_matrix"],
    )
    assert results(report)["identity_matrix"].status == "passed"
    assert_healthy_passed(report, "identity_matrix")


def test_required_call_made_on_an_empty_slice_and_thrown_away_does_not_count(check_hazard):
    report = check_hazard(
        """
def relu_maximum(x):
    t.maximum(x[:0], t.zeros(0))
    return (x + x.abs()) / 2
""",
        ids=["relu_maximum"],
    )
    assert_failed_with(report, "relu_maximum", "missing_call")
    assert_healthy_passed(report, "relu_maximum")


def test_earlier_exercise_wrapping_getframe_or_patching_torch_changes_no_later_verdict(
    check_hazard,
):
    report = check_hazard(
        """
import sys

def relu_abs(x):
    sys._getframe = lambda depth=0: sys.modules[__name__]
    torch.Tensor.exp = lambda self: self * 0
    torch.exp = lambda value: value * 0
    torch.eye = lambda n: torch.zeros(n, n)
    return (x + x.abs()) / 2

def identity_matrix(n):
    return t.eye(n)
""",
        ids=["relu_abs", "identity_matrix"],
    )
    # the attacker may break its own exercise; it changes nothing after it
    assert_failed_with(report, "identity_matrix", "forbidden_call")
    assert_healthy_passed(report, "relu_abs", "identity_matrix")


def test_ordinary_habits_of_correct_code_are_never_tampering(check_hazard):
    report = check_hazard(
        """
import functools
import logging
import math
import traceback

import einops

def _pairs(n):
    return [(i, i) for i in range(n)]

@functools.lru_cache(maxsize=None)
def _scale():
    return math.sqrt(4.0) / 2

def relu_abs(x):
    t.manual_seed(0)
    print("checking", x.shape)
    logging.getLogger("mine").debug("x is %s", x.shape)
    try:
        int("not a number")
    except ValueError:
        traceback.format_exc()
    with torch.no_grad():
        _ = einops.rearrange(x.reshape(-1), "(a b) -> a b", b=1)
    assert x.dim() >= 0, "a tensor"
    return (x + x.abs()) / 2 * _scale()
""",
        ids=["relu_abs"],
    )
    result = results(report)["relu_abs"]
    assert result.status == "passed", result.problems
    assert not any(p.kind == "tampering" for p in result.problems)
    assert_healthy_passed(report, "relu_abs")
