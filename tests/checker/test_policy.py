"""The allowlist (checker/policy.py) as judged by the source scan (checker/source_scan.py):
what it refuses, with the construct and its line, and the ordinary code it lets through."""

from __future__ import annotations

import textwrap

import pytest

from tensorlings.checker import facts, facts_reader, policy, source_scan


def acts(source: str) -> list[tuple[int, str]]:
    found = facts_reader.of_source(textwrap.dedent(source))
    return [(where.line, what) for where, what in source_scan.acts(found)]


@pytest.mark.parametrize(
    ("line", "construct"),
    [
        ("x = f.__globals__", "__globals__"),
        ("x = g.gi_frame", "gi_frame"),
        ("x = c.co_consts", "co_consts"),
        ("x = getattr(f, name)", "computed at run time"),
        ("x = getattr(f, '__closure__')", "__closure__"),
        ("x = functools.reduce(getattr, names, f)", "getattr used as a value"),
        ("x = '{0.__class__}'.format(f)", "format field"),
        ("x = '{0[key]}'.format(f)", "format field"),
        ("x = '{0.shape.__class__}'.format(f)", "format field"),
        ("x = '{0[0].f_back}'.format(f)", "format field"),
        ("x = '{0.modules}'.format(sys)", "format field"),
        ("x = fmt.format(f)", "format string computed"),
        ("x = vars(torch)", "vars"),
        ("x = globals()", "globals"),
        ("x = eval('1')", "eval"),
        ("x = __import__('os')", "__import__"),
        ("x = operator.attrgetter('eye')", "attrgetter"),
        ("import ctypes", "ctypes"),
        ("import inspect", "inspect"),
        ("import threading", "threading"),
        ("import subprocess", "subprocess"),
        ("import importlib", None),  # the import alone is harmless; its use is judged
        ("x = importlib.import_module('os')", "import_module"),
        ("x = os.fork()", "fork"),
        ("x = os.system('ls')", "system"),
        ("x = sys._getframe()", "_getframe"),
        ("x = sys.modules['einops.einops']", "sys.modules"),
        ("x = torch._C", "_C"),
        ("x = torch.ops.aten.eye", "torch.ops"),
        ("x = torch.jit.script", "torch.jit"),
        ("x = torch.compile", "torch.compile"),
        ("x = torch.library", "torch.library"),
        ("from torch.overrides import TorchFunctionMode", "torch.overrides"),
        ("x = einops.einops.reduce", "einops.einops"),
        ("import numpy as np; x = np.core.umath.exp", "numpy.core"),
        ("torch.eye = print", "an assignment to torch.eye"),
        ("x = open(name, 'w')", "open"),
        ("x = open('/proc/self/mem', 'r+b')", "/proc"),
        ("x = y._private", "private attribute"),
        ("x = [torch][0]._C", "private attribute"),
        ("x = ('{0.' + '__globals__}').format(f)", "format string computed"),
        ("import psutil", "installed package"),
        ("x = breakpoint", "breakpoint"),
        ("import logging; x = logging.currentframe()", "currentframe"),
        ("x = sys.exc_info()", "exc_info"),
        ("import traceback; x = traceback.walk_stack(None)", "walk_stack"),
        ("import pickle", "pickle"),
        ("x = y.__class__.__subclasses__()", "__subclasses__"),
        ("x = y.__class__", "__class__"),
        ("x = y.__class__.__mro__", "__mro__"),
        ("x = y.__class__.__name__.__class__", "__class__"),
        ("import __learner__; __learner__.f = print", "__learner__"),
        ("class M(torch.Tensor): __del__ = print", "__del__"),
        ("class M(torch.Tensor): __torch_function__ = classmethod(print)", "__torch_function__"),
    ],
)
def test_a_construct_outside_the_allowlist_is_named_with_its_line(line, construct):
    source = f"import functools, operator, os, sys, importlib, einops, torch\n{line}\n"
    found = acts(source)
    if construct is None:
        assert found == []
    else:
        assert any(at == 2 and construct in what for at, what in found), found


@pytest.mark.parametrize(
    "line",
    [
        "sys.path.append('..')",
        "sys.path.insert(0, os.getcwd())",
        "os.chdir(os.path.dirname('a/b'))",
        "os.environ['KMP_DUPLICATE_LIB_OK'] = 'TRUE'",
        "IN_COLAB = 'google.colab' in sys.modules",
        "print(f'{x.shape} {type(x).__name__}', '{:.2f}'.format(1.0), '%d' % 3)",
        "x = getattr(torch, 'arange')(3)",
        "x = hasattr(y, name)",
        "torch.backends.cudnn.deterministic = True",
        "x = Pair(1, 2)._replace(a=3)._asdict()",
        "class V:\n    def __init__(self):\n        self._v = 1\n    def __eq__(self, other):\n"
        "        return self._v == other._v",
        "print(('{:>8}' * 3).format(1, 2, 3))",
        "x = functools.reduce(operator.add, [1, 2])",
        "x = open('data.txt').read()",
        "x = open(f'results_{n}.txt', 'w')",
        "MAIN = __name__ == '__main__'",
        "print('{0.shape} {x.dtype} {0[1]} {0.shape[0]} {0.ndim:>3}'.format(y, x=y))",
        "print(x.__class__.__name__, x.__class__.__qualname__, x.__class__.__module__)",
        "import plotly_course_helpers",
        "from part2_utils import imshow",
        "import importlib\nimportlib.reload(sys)",
        "class M(torch.nn.Module):\n    def __init__(self):\n        super().__init__()",
        "from typing import Callable\nfrom pathlib import Path\nP = Path.cwd() / 'x'",
        "import numpy as np\nimport einops\nimport math\nimport random",
    ],
)
def test_ordinary_learner_code_is_allowed(line):
    source = (
        f"import functools, operator, os, sys, torch\nfrom collections import namedtuple\n{line}\n"
    )
    assert acts(source) == []


def test_every_allowed_module_has_a_reason():
    assert all(module.reason for module in policy.ALLOWED)
    assert all(reason for module in policy.ALLOWED for reason in module.refused.values())


def test_a_module_the_grader_does_not_have_is_harmless():
    assert policy.module_verdict("part2_utils.plot") is None
    assert policy.module_verdict("gc") is not None
    assert policy.module_verdict("torch.nn.functional.softmax") is None
    assert policy.module_verdict("torch.utils._python_dispatch") is not None


def test_tampering_in_an_unreached_function_fails_only_its_reachers():
    found = facts_reader.of_source(
        "import gc\n\ndef unused():\n    return gc.get_objects()\n\ndef f(x):\n    return x\n"
    )
    assert source_scan.file_tampering(found) == []
    assert source_scan.reached_tampering(found, "f") == []
    assert [f.line for f in source_scan.reached_tampering(found, "unused")] == [1, 4]


def test_tampering_that_runs_while_the_file_loads_is_the_files():
    found = facts_reader.of_source(
        "import torch\nx = vars(torch)\n\n@torch.compile\ndef f(x):\n    pass\n"
    )
    assert [f.line for f in source_scan.file_tampering(found)] == [2, 4]


def test_a_template_held_in_a_name_is_judged_by_the_strings_it_holds():
    plain = 'template = "row {}: {:.2f}"\nprint(template.format(1, 2.0))\n'
    assert acts(plain) == []
    walking = 'template = "{0.__globals__}"\nprint(template.format(f))\n'
    assert [line for line, _ in acts(walking)] == [2]


def test_each_imported_name_is_judged_where_it_is_used():
    found = facts_reader.of_source("import os, inspect\n\ndef f(x):\n    return os.getcwd()\n")
    assert source_scan.reached_tampering(found, "f") == []


def test_a_star_import_of_a_refused_module_is_the_files():
    found = facts_reader.of_source("from ctypes import *\n")
    assert [f.line for f in source_scan.file_tampering(found)] == [1]


COLAB_SETUP = """
import os, subprocess, sys
IN_COLAB = "google.colab" in sys.modules
if {test}:
    os.system("pip install einops")
    subprocess.run(["pip", "install", "jaxtyping"])
{tail}"""


@pytest.mark.parametrize(
    "test",
    ["IN_COLAB", "in_colab and True", "'google.colab' in sys.modules", "'COLAB_GPU' in os.environ"],
)
def test_a_top_level_colab_only_block_is_left_out_of_the_record(test):
    source = COLAB_SETUP.format(test=test, tail="")
    found = facts_reader.of_source(textwrap.dedent(source))
    assert found.not_run == {4: facts.NotRun.COLAB_BLOCK}
    # The import of subprocess alone stays an act of its own binding, reached by nothing.
    assert [line for line, _ in acts(source) if line >= 4] == []


REFUSED_IN_A_BLOCK = """
import os, sys
IN_COLAB = "google.colab" in sys.modules
if {test}:
    child = os.fork()
{tail}"""


@pytest.mark.parametrize(
    ("test", "tail"),
    [
        ("not IN_COLAB", ""),  # runs in the grader
        ("IN_COLAB or True", ""),
        ("ok and not IN_COLAB", ""),
    ],
)
def test_a_block_that_can_run_outside_colab_is_judged(test, tail):
    source = REFUSED_IN_A_BLOCK.format(test=test, tail=tail)
    assert facts_reader.of_source(textwrap.dedent(source)).not_run == {}
    assert any(line == 5 and "fork" in what for line, what in acts(source)), acts(source)


def test_a_colab_block_nested_in_another_block_is_left_out_too():
    source = """
    import os
    IN_COLAB = False
    for _ in range(1):
        if IN_COLAB:
            child = os.fork()
    """
    assert facts_reader.of_source(textwrap.dedent(source)).not_run == {5: facts.NotRun.COLAB_BLOCK}
    assert [line for line, _ in acts(source) if line >= 5] == []


def test_a_one_line_colab_branch_with_an_else_is_judged_whole():
    source = "import os\nIN_COLAB = False\nif IN_COLAB: child = os.fork()\nelse:\n    pass\n"
    assert facts_reader.of_source(source).not_run == {}
    assert any(line == 3 and "fork" in what for line, what in acts(source)), acts(source)


@pytest.mark.parametrize(
    "line",
    [
        "os.system('pip install einops')",
        "subprocess.run([sys.executable, '-m', 'pip', 'install', 'einops'], check=True)",
        "sp.check_call(['pip', 'install', 'jaxtyping'])",
    ],
)
def test_a_top_level_shell_command_is_left_out_of_the_record(line):
    source = f"import os, sys\nimport subprocess\nimport subprocess as sp\n{line}\n"
    assert facts_reader.of_source(source).not_run == {4: facts.NotRun.SHELL_COMMAND}
    assert [at for at, _ in acts(source) if at == 4] == []
    head = "import os, sys\nimport subprocess\nimport subprocess as sp\n"
    in_a_block = f"{head}try:\n    {line}\nexcept OSError:\n    pass\n"
    assert facts_reader.of_source(in_a_block).not_run == {5: facts.NotRun.SHELL_COMMAND}


@pytest.mark.parametrize(
    "line",
    [
        "out = os.system('ls')",  # its result is used: it must run to mean anything
        "def f():\n    os.system('ls')",  # a function's body runs when it is called
        "if True: os.system('ls')",  # on its block's line: the loader could only skip the if
    ],
)
def test_a_shell_command_that_is_not_a_statement_of_its_own_is_refused(line):
    source = f"import os\n{line}\n"
    assert facts_reader.of_source(source).not_run == {}
    assert any("system" in what for _, what in acts(source)), acts(source)


COLAB_OR_LOCAL = """
import os, sys
IN_COLAB = "google.colab" in sys.modules
if IN_COLAB:
    os.system("pip install einops")
    from google.colab import drive
else:
    root = "."
    {local}
"""


def test_the_colab_branch_of_an_if_else_is_left_out_and_the_else_is_judged():
    found = facts_reader.of_source(textwrap.dedent(COLAB_OR_LOCAL.format(local="pass")))
    assert found.not_run == {5: facts.NotRun.COLAB_BLOCK, 6: facts.NotRun.COLAB_BLOCK}
    assert acts(COLAB_OR_LOCAL.format(local="pass")) == []
    refused = acts(COLAB_OR_LOCAL.format(local="x = os.fork()"))
    assert any(line == 9 and "fork" in what for line, what in refused), refused
