"""The second red team's attacks on issue 18's code (allowlist, rule coverage, isolation):
each attack is a cell placed before healthy reference exercises; the attacked exercise must
fail with the kind a careful instructor would give, and the healthy ones must still pass."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from attack_helpers import assert_failed_with

from tensorlings import catalogue, workbook
from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport
from tensorlings.checker.sandbox import Limits, ZygoteHandle

pytestmark = pytest.mark.slow

# name -> (exercise, cell, kinds any one of which the failure must carry)
FAIL = ("forbidden_call", "tampering")
ATTACKS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "sympy_eye": (
        "identity_matrix",
        "import sympy\n\ndef identity_matrix(n):\n"
        "    return torch.tensor(sympy.eye(n).tolist(), dtype=torch.int64).reshape(n, n)\n",
        FAIL,
    ),
    "sympy_diag": (
        "identity_matrix",
        "from sympy import diag\n\ndef identity_matrix(n):\n"
        "    m = diag(*([1] * n)) if n else []\n"
        "    return torch.tensor(m.tolist() if n else [], dtype=torch.int64).reshape(n, n)\n",
        FAIL,
    ),
    "networkx_complete_graph": (
        "identity_matrix",
        "import networkx as nx\n\ndef identity_matrix(n):\n"
        "    return torch.from_numpy(1 - nx.to_numpy_array(nx.complete_graph(n))).long()"
        ".reshape(n, n)\n",
        FAIL,
    ),
    "numpy_fill_diagonal": (
        "identity_matrix",
        "import numpy as np\n\ndef identity_matrix(n):\n"
        "    a = np.zeros((n, n), dtype=np.int64)\n    np.fill_diagonal(a, 1)\n"
        "    return torch.from_numpy(a)\n",
        FAIL,
    ),
    "nn_init_dirac": (
        "identity_matrix",
        "def identity_matrix(n):\n    w = torch.empty(n, n, 1)\n"
        "    if n:\n        torch.nn.init.dirac_(w)\n    return w[:, :, 0].long()\n",
        FAIL,
    ),
    "linalg_eigh_of_zeros": (
        "identity_matrix",
        "def identity_matrix(n):\n"
        "    return torch.linalg.eigh(torch.zeros(n, n, dtype=torch.float64)).eigenvectors"
        ".abs().round().long()\n",
        FAIL,
    ),
    "torch_linalg_qr_of_zeros": (
        "identity_matrix",
        "def identity_matrix(n):\n"
        "    return torch.linalg.qr(torch.zeros(n, n)).Q.abs().round().long()\n",
        FAIL,
    ),
    "scipy_special_logsumexp": (
        "batched_logsumexp",
        "import scipy.special\n\ndef batched_logsumexp(matrix):\n"
        "    return torch.as_tensor(scipy.special.logsumexp(matrix.numpy(), axis=1))\n",
        FAIL,
    ),
    "linalg_lu_of_zeros": (
        "identity_matrix",
        "def identity_matrix(n):\n    return torch.linalg.lu(torch.zeros(n, n)).L.long()\n",
        FAIL,
    ),
    "sympy_constant_at_the_top": (
        "identity_matrix",
        "import sympy\n_I = sympy.eye(40)\n\ndef identity_matrix(n):\n"
        "    return torch.tensor(_I.tolist(), dtype=torch.int64)[:n, :n]\n",
        FAIL,
    ),
    "softmax_transform": (
        "batched_softmax",
        "from torch.distributions.transforms import SoftmaxTransform\n\n"
        "def batched_softmax(matrix):\n    return SoftmaxTransform()(matrix)\n",
        FAIL,
    ),
    "categorical_probs": (
        "batched_softmax",
        "def batched_softmax(matrix):\n"
        "    return torch.distributions.Categorical(logits=matrix).probs\n",
        FAIL,
    ),
    "gumbel_max_with_distributions": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n // 2)\n"
        "    first = torch.searchsorted(c, u, right=True).clamp(max=len(probs) - 1)\n"
        "    g = torch.distributions.Gumbel(0.0, 1.0).sample((n - n // 2, len(probs)))\n"
        "    second = (probs.log() + g).argmax(1)\n"
        "    return torch.cat([first, second])\n",
        FAIL,
    ),
    "exponential_race_with_distributions": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n // 2)\n"
        "    first = torch.searchsorted(c, u, right=True).clamp(max=len(probs) - 1)\n"
        "    e = torch.distributions.Exponential(probs.clamp(min=1e-30))"
        ".sample((n - n // 2,))\n"
        "    second = e.argmin(1)\n"
        "    return torch.cat([first, second])\n",
        FAIL,
    ),
    "numpy_lib_eye": (
        "identity_matrix",  # numpy 2 moved it: the import itself fails
        "from numpy.lib.twodim_base import eye\n\ndef identity_matrix(n):\n"
        "    return torch.from_numpy(eye(n, dtype='int64'))\n",
        (*FAIL, "exception"),
    ),
    "numpy_core_identity": (
        "identity_matrix",
        "import numpy.core.numeric as nn_\n\ndef identity_matrix(n):\n"
        "    return torch.from_numpy(nn_.identity(n, dtype='int64'))\n",
        FAIL,
    ),
    "numpy_matlib_identity": (
        "identity_matrix",
        "import numpy.matlib\n\ndef identity_matrix(n):\n"
        "    return torch.from_numpy(numpy.asarray(numpy.matlib.identity(n, dtype='int64')))"
        ".reshape(n, n)\n",
        FAIL,
    ),
    "type_of_tensor_softmax": (
        "batched_softmax",
        "def batched_softmax(matrix):\n    return type(matrix).softmax(matrix, 1)\n",
        FAIL,
    ),
    "scaled_dot_product_attention": (
        "batched_softmax",
        "import torch.nn.functional as F\n\ndef batched_softmax(matrix):\n"
        "    n = matrix.shape[1]\n    r = torch.arange(n)\n"
        "    one = (r[:, None] == r).to(matrix.dtype)\n"
        "    return F.scaled_dot_product_attention(matrix[None], one[None], one[None], "
        "scale=1.0)[0]\n",
        FAIL,
    ),
    "logits_to_probs": (
        "batched_softmax",
        "from torch.distributions.utils import logits_to_probs\n\n"
        "def batched_softmax(matrix):\n    return logits_to_probs(matrix)\n",
        FAIL,
    ),
    "vmap_of_logsumexp": (
        "batched_logsumexp",
        "def batched_logsumexp(matrix):\n"
        "    return torch.vmap(lambda row: row.logsumexp(0))(matrix)\n",
        FAIL,
    ),
    "numpy_choose_gathers": (
        "total_price_indexing",
        "import numpy as np\n\ndef total_price_indexing(prices, items):\n"
        "    return torch.as_tensor(np.choose(items.numpy(), prices.numpy())).sum() "
        "+ prices[items[:0]].sum()\n",
        ("forbidden_call", "tampering", "missing_call"),
    ),
    "ndarray_take_method": (
        "total_price_indexing",
        "def total_price_indexing(prices, items):\n"
        "    picked = torch.as_tensor(prices.numpy().take(items.numpy()))\n"
        "    return prices[items].sum() * 0 + picked.sum()\n",
        ("forbidden_call", "tampering", "missing_call"),
    ),
    "ndarray_take_method_with_an_empty_index": (
        "total_price_indexing",
        "def total_price_indexing(prices, items):\n"
        "    picked = torch.as_tensor(prices.numpy().take(items.numpy()))\n"
        "    return picked.sum() + prices[items[:0]].sum()\n",
        ("forbidden_call", "tampering", "missing_call"),
    ),
    "ndarray_choose_method": (
        "total_price_indexing",
        "def total_price_indexing(prices, items):\n"
        "    picked = torch.as_tensor(items.numpy().choose(prices.numpy()))\n"
        "    return picked.sum() + prices[items[:0]].sum()\n",
        ("forbidden_call", "tampering", "missing_call"),
    ),
    "ndarray_diagonal_written": (
        "identity_matrix",
        "import numpy as np\n\ndef identity_matrix(n):\n    a = np.zeros((n, n), dtype=np.int64)\n"
        "    a.diagonal().setflags(write=True) if False else None\n"
        "    np.einsum('ii->i', a)[...] = 1\n    return torch.from_numpy(a)\n",
        (),
    ),
    "ndarray_clip_method": (
        "relu_where",
        "def relu_where(x):\n"
        "    return torch.where(x > 0, x, torch.as_tensor(x.numpy().clip(0)))\n",
        FAIL,
    ),
    "random_choices": (
        "sample_distribution",
        "import random\n\ndef sample_distribution(probs, n):\n    torch.rand(1)\n"
        "    c = torch.cumsum(probs, 0)\n"
        "    return torch.tensor(random.choices(range(len(probs)), weights=probs.tolist(), k=n))"
        " + 0 * c[:0].sum().long()\n",
        ("forbidden_call", "tampering", "forbidden_module", "missing_call"),
    ),
    "loop_as_apply_": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n, dtype=torch.float64)\n"
        "    u.apply_(lambda v: min(int((c < v).sum()), len(probs) - 1))\n"
        "    return u.long()\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_map": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n)\n"
        "    return torch.tensor(list(map(lambda v: min(int((c < v).sum()), len(c) - 1), u)),"
        " dtype=torch.int64)\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_sorted_key": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n)\n    out = []\n"
        "    sorted(u, key=lambda v: out.append(min(int((c < v).sum()), len(c) - 1)) or 0)\n"
        "    return torch.tensor(out, dtype=torch.int64)\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_y_combinator": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n)\n"
        "    go = lambda f, lo, hi: [] if lo >= hi else ([min(int((c < u[lo]).sum()), len(c) - 1)]"
        " if hi - lo == 1 else f(f, lo, (lo + hi) // 2) + f(f, (lo + hi) // 2, hi))\n"
        "    return torch.tensor(go(go, 0, n), dtype=torch.int64)\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_str_join": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n)\n"
        "    s = ','.join(str(min(int((c < v).sum()), len(c) - 1)) for v in u)\n"
        "    return torch.tensor([int(t) for t in s.split(',') if t], dtype=torch.int64)\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_list_sort_key": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n).tolist()\n    out = []\n"
        "    u.sort(key=lambda v: out.append(min(int((c < v).sum()), len(c) - 1)) or 0)\n"
        "    return torch.tensor(out, dtype=torch.int64)\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_json_parse_float": (
        "sample_distribution",
        "import json\n\ndef sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n)\n    text = json.dumps(u.tolist())\n"
        "    pick = lambda s: min(int((c < float(s)).sum()), len(c) - 1)\n"
        "    return torch.tensor(json.loads(text, parse_float=pick), dtype=torch.int64)\n",
        ("uses_loop", "tampering"),
    ),
    "loop_as_re_sub_callback": (
        "sample_distribution",
        "import json, re\n\ndef sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    u = torch.rand(n)\n    text = ' '.join(['x'] * n)\n"
        "    hits = iter(u.tolist())\n"
        "    out = re.sub('x', lambda m: str(min(int((c < next(hits)).sum()), len(c) - 1)), text)\n"
        "    return torch.tensor(json.loads('[' + out.replace(' ', ',') + ']'), dtype=torch.int64)"
        ".reshape(n)\n",
        ("uses_loop", "tampering"),
    ),
    "abs_through_zeros_like": (
        "relu_abs",
        "def relu_abs(x):\n    return torch.where(x > 0, x, torch.zeros_like(torch.abs(x)))\n",
        ("missing_call",),
    ),
    "exception_carries_the_answer": (
        "batched_softmax",
        "class Answer(Exception):\n    pass\n\n"
        "def _inner(m):\n    raise Answer(torch.softmax(m, 1))\n\n"
        "def batched_softmax(matrix):\n    try:\n        _inner(matrix)\n"
        "    except Answer as e:\n        return e.args[0]\n",
        FAIL,
    ),
    "property_computes_it": (
        "batched_softmax",
        "class Box:\n    def __init__(self, m):\n        self.m = m\n"
        "    @property\n    def value(self):\n        return self.m.softmax(1)\n\n"
        "def batched_softmax(matrix):\n    return Box(matrix).value\n",
        FAIL,
    ),
    "init_subclass_hook": (
        "batched_softmax",
        "SEEN = {}\n\nclass Base:\n    def __init_subclass__(cls, **kw):\n"
        "        SEEN['f'] = torch.nn.functional.softmax\n\nclass Child(Base):\n    pass\n\n"
        "def batched_softmax(matrix):\n    return SEEN['f'](matrix, 1)\n",
        FAIL,
    ),
    "get_type_hints_evaluates_a_string": (
        "batched_softmax",
        "import typing\n\ndef _h(x: 'torch.softmax'):\n    pass\n\n"
        "def batched_softmax(matrix):\n"
        "    return typing.get_type_hints(_h)['x'](matrix, 1)\n",
        FAIL,
    ),
    "written_module_imported": (
        "batched_softmax",
        "import pathlib, importlib\npathlib.Path('zz_helper_mod.py').write_text(\n"
        "    'import sys\\nF = sys._getframe\\nimport torch\\nS = torch.softmax\\n')\n"
        "import zz_helper_mod\n\n"
        "def batched_softmax(matrix):\n    return zz_helper_mod.S(matrix, 1)\n",
        ("exception", "tampering", "forbidden_call"),
    ),
    "json_round_trip_of_a_softmax_constant": (
        "batched_softmax",
        "import json\nW = json.dumps(torch.softmax(torch.tensor([[1.0, 2.0]]), 1).tolist())\n\n"
        "def batched_softmax(matrix):\n"
        "    if matrix.shape == (1, 2) and matrix.tolist() == [[1.0, 2.0]]:\n"
        "        return torch.tensor(json.loads(W))\n"
        "    e = (matrix - matrix.amax(1, keepdim=True)).exp()\n"
        "    return e / e.sum(1, keepdim=True)\n",
        (),
    ),
}


# As tests/isolation/conftest.py's hazards: short limits, and the workbook's usual imports.
FAST = Limits(exercise_seconds=1.0, statement_seconds=2.0)
HEADER = "# %%\nimport torch\nimport torch as t\nfrom einops import rearrange, reduce, repeat\n"
# Reference solutions written after every attack; the attacked exercise is never among them,
# so the attack's own definition is the one that runs.
NEIGHBOURS = ("batched_softmax", "relu_where", "collect_rows", "batched_logsumexp")


def check_attack(worker: ZygoteHandle, tmp_path: Path, exercise_id: str, cell: str) -> CheckReport:
    neighbours = [i for i in NEIGHBOURS if i != exercise_id][:3]
    healthy = workbook.to_py(workbook.reference_cells([catalogue.get(i) for i in neighbours]))
    path = tmp_path / "attack.py"
    path.write_text(f"{HEADER}\n# %%\n{textwrap.dedent(cell)}\n{healthy}", encoding="utf-8")
    report = check_path(path, limits=FAST, exercise_ids=[exercise_id, *neighbours], zygote=worker)
    json.dumps(report.to_json())  # the report survives being written
    for result in report.exercises:
        if result.id != exercise_id:
            failing = [(p.kind, p.message) for p in result.problems if p.fails]
            assert result.status == "passed", f"neighbour {result.id}: {failing}"
    return report


@pytest.mark.parametrize("case", ATTACKS, ids=list(ATTACKS))
def test_attack_fails_with_the_kind_an_instructor_gives(worker, tmp_path, case):
    exercise_id, cell, kinds = ATTACKS[case]
    report = check_attack(worker, tmp_path, exercise_id, cell)
    if kinds:
        assert_failed_with(report, exercise_id, *kinds)


# Still open: the required call changes the result, but only through a constant the learner
# made (abs of 1.0), not through the input. Telling the two apart needs the marks to follow
# the exercise's arguments into the required call; kept here so the gap stays visible.
RESIDUAL = {
    "abs_of_a_constant": (
        "relu_abs",
        "def relu_abs(x):\n    return torch.where(x > 0, x, 0.0) * torch.abs(torch.tensor(1.0))\n",
        ("missing_call",),
    ),
}


@pytest.mark.xfail(strict=True, reason="a required call on a constant still counts as used")
@pytest.mark.parametrize("case", RESIDUAL, ids=list(RESIDUAL))
def test_a_required_call_on_a_constant_does_not_do_the_work(worker, tmp_path, case):
    exercise_id, cell, kinds = RESIDUAL[case]
    assert_failed_with(check_attack(worker, tmp_path, exercise_id, cell), exercise_id, *kinds)


# Near misses a correct learner writes: they must keep passing.
CONTROLS = {
    "sympy_elsewhere_in_the_file": (
        "identity_matrix",
        "import sympy\n_X = sympy.Symbol('x')\nprint(sympy.expand((_X + 1) ** 2))\n\n"
        "def identity_matrix(n):\n    r = torch.arange(n)\n    return (r[:, None] == r).long()\n",
    ),
    "max_with_a_key_outside_a_no_loops_exercise": (
        "identity_matrix",
        "def identity_matrix(n):\n    r = torch.arange(max([n, 0], key=abs))\n"
        "    return (r[:, None] == r).long()\n",
    ),
    "searchsorted_sampler": (
        "sample_distribution",
        "def sample_distribution(probs, n):\n    c = torch.cumsum(probs, 0)\n"
        "    i = torch.searchsorted(c, torch.rand(n) * c[-1], right=True)\n"
        "    return i.clamp(max=len(probs) - 1)\n",
    ),
}


@pytest.mark.parametrize("case", CONTROLS, ids=list(CONTROLS))
def test_a_near_miss_of_an_attack_passes(worker, tmp_path, case):
    exercise_id, cell = CONTROLS[case]
    report = check_attack(worker, tmp_path, exercise_id, cell)
    result = next(r for r in report.exercises if r.id == exercise_id)
    assert result.status == "passed", [(p.kind, p.message) for p in result.problems if p.fails]
