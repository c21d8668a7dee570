"""Workbooks the way learners really keep them: notebook lines, course-only imports, data and
tests at module level, a stub defined before the real function, `if MAIN:` blocks, notebooks
with outputs and cell magics, scripts exported by nbconvert, Windows line endings.

For each file: nothing the learner implemented is lost (every implemented function gets a
verdict, every other exercise is not_started), the verdicts are right, and each statement that
could not run is a load note at its own line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

from tensorlings.checker.results import CheckReport, ExerciseResult

pytestmark = pytest.mark.slow

STRIDED_IDS = tuple(f"as_strided_{n}" for n in range(1, 7))


def results(report: CheckReport) -> dict[str, ExerciseResult]:
    assert report.error is None, f"the file could not be checked: {report.error}"
    return {r.id: r for r in report.exercises}


def verdicts(report: CheckReport) -> dict[str, str]:
    """Status of every exercise that got one (not_started left out)."""
    return {r.id: r.status for r in results(report).values() if r.status != "not_started"}


def failures(report: CheckReport) -> dict[str, list[tuple[str, str]]]:
    return {
        r.id: [(p.kind, p.message) for p in r.problems if p.fails]
        for r in results(report).values()
        if r.status == "failed"
    }


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if needle in text)


def notes_by_line(report: CheckReport) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for note in report.load_notes:
        found.setdefault(note.line, []).append(note.kind)
    return found


def write(tmp_path: Path, name: str, text: str, newline: str = "\n") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline=newline) as out:
        out.write(text)
    return path


# --- An ARENA-style .py file ------------------------------------------------------------------

ARENA_STYLE = '''\
# %%
!pip install einops
!pip install jaxtyping
%load_ext autoreload
%autoreload 2

import os
import sys
from pathlib import Path

import numpy as np
import torch as t
from torch import Tensor
import einops
from einops import rearrange, reduce, repeat

import plotly_utils
from part0_prereqs import tests
from plotly_utils import imshow, line

MAIN = __name__ == "__main__"
device = t.device("cuda" if t.cuda.is_available() else "cpu")
data = np.load("data.npy")

EPS = 1e-9
DAYS_PER_WEEK = 7

# %%
def batched_softmax(matrix: Tensor) -> Tensor:
    """
    For each row of the matrix, compute softmax(row).
    """
    pass


# %%
def batched_softmax(matrix: Tensor) -> Tensor:
    exps = (matrix - matrix.max(dim=-1, keepdim=True).values).exp()
    return exps / exps.sum(dim=-1, keepdim=True)


if MAIN:
    raise RuntimeError("the if MAIN block ran")
    tests.test_batched_softmax(batched_softmax)

# %%
def temperatures_average(temps):
    return reduce(temps, "(week day) -> week", "mean", day=DAYS_PER_WEEK)


def temperatures_normalized(temps):
    weekly = rearrange(temps, "(week day) -> week day", day=DAYS_PER_WEEK)
    mean = weekly.mean(dim=1, keepdim=True)
    std = weekly.std(dim=1, keepdim=True)
    return rearrange((weekly - mean) / (std + EPS), "week day -> (week day)")


temps = t.Tensor([71, 72, 70, 75, 71, 72, 70, 68, 65, 60, 68, 60, 55, 59])
tests.test_temperatures_average(temperatures_average)
assert temperatures_average(temps).shape == (2,), "two weeks"

# %%
matrix = t.arange(15).view(5, 3)
column_indexes = t.tensor([0, 2, 1, 0])


def collect_rows(matrix, row_indexes):
    return matrix[row_indexes]


def collect_columns(m, indexes):
    return matrix[:, indexes]


print(collect_columns(matrix, column_indexes))

# %%
def integer_array_indexing(matrix: Tensor, coords: Tensor) -> Tensor:
    return matrix[*coords.T]


def relu_abs(x: Tensor) -> Tensor:
    raise NotImplementedError()
'''

ARENA_IMPLEMENTED = {
    "batched_softmax": "passed",
    "temperatures_average": "passed",
    "temperatures_normalized": "passed",
    "collect_rows": "passed",
    "collect_columns": "failed",
    "integer_array_indexing": "passed",
}


@pytest.fixture(scope="module")
def arena_report(tmp_path_factory, check_file) -> tuple[Path, CheckReport]:
    path = write(tmp_path_factory.mktemp("messy"), "arena_style.py", ARENA_STYLE)
    return path, check_file(path)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="matrix[*coords.T] is Python 3.11 syntax")
def test_arena_style_file_loses_no_function(arena_report):
    _, report = arena_report
    assert verdicts(report) == ARENA_IMPLEMENTED, failures(report)
    assert results(report)["relu_abs"].status == "not_started"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="matrix[*coords.T] is Python 3.11 syntax")
def test_arena_style_file_notes_each_statement_that_could_not_run(arena_report):
    path, report = arena_report
    expected = {
        line_of(path, "!pip install einops"): ["notebook_line"],
        line_of(path, "!pip install jaxtyping"): ["notebook_line"],
        line_of(path, "%load_ext autoreload"): ["notebook_line"],
        line_of(path, "%autoreload 2"): ["notebook_line"],
        line_of(path, "import plotly_utils"): ["import_error"],
        line_of(path, "from part0_prereqs import tests"): ["import_error"],
        line_of(path, "from plotly_utils import"): ["import_error"],
        line_of(path, 'np.load("data.npy")'): ["exception"],
        line_of(path, "tests.test_temperatures_average("): ["exception"],
    }
    assert notes_by_line(report) == expected
    messages = {note.line: note.message for note in report.load_notes}
    assert "data.npy" in messages[line_of(path, 'np.load("data.npy")')]
    assert "tests" in messages[line_of(path, "tests.test_temperatures_average(")]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="matrix[*coords.T] is Python 3.11 syntax")
def test_if_main_block_is_not_run(arena_report):
    _, report = arena_report
    assert not [note for note in report.load_notes if "MAIN block ran" in note.message]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="matrix[*coords.T] is Python 3.11 syntax")
def test_function_reading_a_test_cell_tensor_fails_naming_it(arena_report):
    path, report = arena_report
    result = results(report)["collect_columns"]
    assert [p.kind for p in result.problems if p.fails] == ["exception"]
    problem = result.problems[0]
    assert "NameError" in problem.message
    assert "'matrix'" in problem.message
    assert problem.line == line_of(path, "return matrix[:, indexes]")


def test_module_level_assert_that_fails_is_a_note_and_the_rest_is_judged(tmp_path, check_file):
    path = write(
        tmp_path,
        "own_tests.py",
        """\
import torch as t

EPS = 1e-9


def batched_logsoftmax(matrix):
    shifted = matrix - matrix.amax(dim=-1, keepdim=True)
    return shifted - (shifted.exp().sum(dim=-1, keepdim=True) + EPS * 0).log()


assert False, "my own test: not finished yet"
assert batched_logsoftmax(t.zeros(2, 2)).shape == (2, 3)


def relu_where(x):
    return t.where(x > 0, x, 0.0)
""",
    )
    report = check_file(path)
    assert verdicts(report) == {"batched_logsoftmax": "passed", "relu_where": "passed"}
    assert notes_by_line(report) == {
        line_of(path, "assert False"): ["exception"],
        line_of(path, "assert batched_logsoftmax("): ["exception"],
    }
    assert "my own test" in report.load_notes[0].message


def test_stub_defined_after_the_real_function_wins_as_python_would(tmp_path, check_file):
    path = write(
        tmp_path,
        "stub_last.py",
        """\
import torch


def relu_where(x):
    return torch.where(x > 0, x, 0.0)


# the template cell, run again by mistake
def relu_where(x: torch.Tensor) -> torch.Tensor:
    pass
""",
    )
    assert results(check_file(path))["relu_where"].status == "not_started"


# --- A notebook with outputs and cell magics --------------------------------------------------

SHEET_AS_STRIDED = """\
from collections import namedtuple

TestCase = namedtuple("TestCase", ["output", "size", "stride"])
test_input_a = t.tensor(
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]
)
test_cases = [
    TestCase(output=t.tensor([0, 1, 2, 3]), size=(4,), stride=(1,)),
    TestCase(output=t.tensor([[0, 1, 2], [5, 6, 7]]), size=(2, 3), stride=(5, 1)),
    TestCase(output=t.tensor([[0, 0, 0], [11, 11, 11]]), size=(2, 3), stride=(11, 0)),
    TestCase(output=t.tensor([0, 6, 12, 18]), size=(4,), stride=(6,)),
    TestCase(output=t.tensor([[[0, 1, 2]], [[9, 10, 11]]]), size=(2, 1, 3), stride=(9, 3, 1)),
    TestCase(
        output=t.tensor(
            [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]], [[[12, 13], [14, 15]], [[16, 17], [18, 19]]]]
        ),
        size=(2, 2, 2, 2),
        stride=(12, 4, 2, 1),
    ),
]
for i, case in enumerate(test_cases):
    actual = test_input_a.as_strided(size=case.size, stride=case.stride)
    if (case.output != actual).any():
        print(f"Test {i} failed:")
    else:
        print(f"Test {i} passed!")
"""


def _stream(text: str) -> nbformat.NotebookNode:
    return new_output("stream", name="stdout", text=text)


@pytest.fixture(scope="module")
def notebook_report(tmp_path_factory, check_file) -> CheckReport:
    notebook = new_notebook()
    notebook.cells = [
        new_markdown_cell(
            "# Prerequisites\n\nLike this:\n\n```python\ndef relu_abs(x):\n    return x\n```"
        ),
        new_code_cell(
            "!pip install einops\n%matplotlib inline\nimport torch as t\n"
            "from torch import Tensor\nfrom einops import rearrange, reduce",
            outputs=[_stream("Requirement already satisfied: einops\n")],
            execution_count=1,
        ),
        new_code_cell("%%bash\nls -la\necho done", outputs=[_stream("total 0\ndone\n")]),
        new_code_cell(
            "%%time\ndef relu_where(x: Tensor) -> Tensor:\n    return t.where(x > 0, x, 0.0)\n\n"
            "relu_where(t.arange(-2, 3).float())",
            outputs=[
                _stream("CPU times: user 1 ms, sys: 0 ns, total: 1 ms\n"),
                new_output(
                    "execute_result",
                    data={"text/plain": "tensor([0., 0., 0., 1., 2.])"},
                    execution_count=3,
                ),
            ],
            execution_count=3,
        ),
        new_raw_cell("def relu_abs(x):\n    return x"),
        new_code_cell(
            "!ls\nif True:\n    !echo indented\n\n"
            "def collect_rows(matrix, row_indexes):\n    return matrix[row_indexes]\n\n"
            "collect_rows(t.arange(6).view(3, 2), t.tensor([2, 0]))",
            outputs=[
                new_output(
                    "error",
                    ename="NameError",
                    evalue="name 't' is not defined",
                    traceback=["\x1b[0;31mNameError\x1b[0m: name 't' is not defined"],
                )
            ],
            execution_count=4,
        ),
        new_code_cell(
            SHEET_AS_STRIDED,
            outputs=[_stream("".join(f"Test {i} passed!\n" for i in range(6)))],
            execution_count=5,
        ),
        new_code_cell("def relu_maximum(x: Tensor) -> Tensor:\n    pass"),
        new_code_cell(
            "matrix = t.arange(15).view(5, 3)\n\n"
            "def collect_columns(m, column_indexes):\n    return matrix[:, column_indexes]"
        ),
    ]
    path = tmp_path_factory.mktemp("notebook") / "prereqs.ipynb"
    nbformat.write(notebook, str(path))
    return check_file(path)


def test_notebook_with_outputs_and_magics_loses_no_function(notebook_report):
    expected = {"relu_where": "passed", "collect_rows": "passed", "collect_columns": "failed"}
    expected.update(dict.fromkeys(STRIDED_IDS, "passed"))
    assert verdicts(notebook_report) == expected, failures(notebook_report)


def test_notebook_problems_point_to_cell_and_line(notebook_report):
    # Code cells only are counted: the markdown and raw cells are not cells of code.
    problem = results(notebook_report)["collect_columns"].problems[0]
    assert problem.kind == "exception"
    assert "'matrix'" in problem.message
    assert "cell 7, line 4" in problem.message


def test_notebook_raw_and_markdown_cells_are_not_code(notebook_report):
    assert results(notebook_report)["relu_abs"].status == "not_started"
    assert results(notebook_report)["relu_maximum"].status == "not_started"


def test_notebook_lines_and_bash_cells_are_skipped_with_notes(notebook_report):
    kinds = {note.kind for note in notebook_report.load_notes}
    assert kinds == {"notebook_line"}
    messages = " ".join(note.message for note in notebook_report.load_notes)
    for skipped in ("!pip install einops", "%matplotlib inline", "%%bash", "!ls", "!echo"):
        assert skipped in messages
    assert "%%time" not in messages  # its cell runs; only the magic line goes


# --- Other shapes of real files ---------------------------------------------------------------

NBCONVERT_SCRIPT = """\
#!/usr/bin/env python
# coding: utf-8

# # Tensor prerequisites

# In[1]:


get_ipython().system('pip install einops')
get_ipython().run_line_magic('load_ext', 'autoreload')
import torch as t
from einops import rearrange


# In[2]:


def relu_where(x):
    return t.where(x > 0, x, 0.0)


relu_where(t.arange(-2, 3).float())


# In[ ]:


def collect_rows(matrix, row_indexes):
    return matrix[row_indexes]

"""


def test_script_exported_by_nbconvert_is_judged(tmp_path, check_file):
    path = write(tmp_path, "exported.py", NBCONVERT_SCRIPT)
    report = check_file(path)
    assert verdicts(report) == {"relu_where": "passed", "collect_rows": "passed"}
    notes = [(n.line, n.kind) for n in report.load_notes]
    assert notes == [
        (line_of(path, "get_ipython().system"), "exception"),
        (line_of(path, "get_ipython().run_line_magic"), "exception"),
    ]
    assert all("get_ipython" in n.message for n in report.load_notes)


def test_windows_line_endings_are_read(tmp_path, check_file):
    text = "# %%\nimport torch\n\n# %%\ndef relu_where(x):\n    return torch.where(x > 0, x, 0.0)\n"
    path = write(tmp_path, "windows.py", text, newline="\r\n")
    assert b"\r\n" in path.read_bytes()
    assert verdicts(check_file(path)) == {"relu_where": "passed"}


def test_jaxtyping_annotations_do_not_lose_functions_when_jaxtyping_is_missing(
    tmp_path, check_file
):
    path = write(
        tmp_path,
        "jaxtyped.py",
        """\
import torch as t
from torch import Tensor
from jaxtyping import Float, Int


def batched_softmax(matrix: Float[Tensor, "batch n"]) -> Float[Tensor, "batch n"]:
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp()
    return exps / exps.sum(dim=-1, keepdim=True)


def collect_rows(matrix: Float[Tensor, "m n"], row_indexes: Int[Tensor, " k"]) -> Tensor:
    return matrix[row_indexes]
""",
    )
    report = check_file(path)
    assert verdicts(report) == {"batched_softmax": "passed", "collect_rows": "passed"}


def test_file_with_a_byte_order_mark_is_read(tmp_path, check_file):
    path = tmp_path / "bom.py"
    path.write_bytes(
        b"\xef\xbb\xbfimport torch\n\n\ndef relu_where(x):\n    return torch.where(x > 0, x, 0.0)\n"
    )
    report = check_file(path)
    assert report.error is None, report.error
    assert verdicts(report) == {"relu_where": "passed"}


def test_assigned_shell_and_magic_lines_do_not_lose_their_cell(tmp_path, check_file):
    path = write(
        tmp_path,
        "assigned_magics.py",
        """\
# %%
import torch

# %%
files = !ls
def relu_where(x):
    return torch.where(x > 0, x, 0.0)

# %%
timing = %timeit -o torch.zeros(3)
def collect_rows(matrix, row_indexes):
    return matrix[row_indexes]
""",
    )
    report = check_file(path)
    assert verdicts(report) == {"relu_where": "passed", "collect_rows": "passed"}
    assert {note.kind for note in report.load_notes} == {"notebook_line"}


def test_grad_mode_switched_off_at_module_level_does_not_fail_correct_functions(
    tmp_path, check_file
):
    path = write(
        tmp_path,
        "no_grad.py",
        """\
import torch as t

t.set_grad_enabled(False)


def relu_where(x):
    return t.where(x > 0, x, 0.0)


def batched_softmax(matrix):
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp()
    return exps / exps.sum(dim=-1, keepdim=True)
""",
    )
    report = check_file(path)
    assert verdicts(report) == {"relu_where": "passed", "batched_softmax": "passed"}, failures(
        report
    )


def test_function_whose_definition_fails_to_load_is_not_reported_not_started(tmp_path, check_file):
    path = write(
        tmp_path,
        "decorated.py",
        """\
import torch as t
from part0_prereqs.utils import check_shapes


@check_shapes("batch n -> batch n")
def batched_softmax(matrix):
    exps = (matrix - matrix.amax(dim=-1, keepdim=True)).exp()
    return exps / exps.sum(dim=-1, keepdim=True)


def relu_where(x):
    return t.where(x > 0, x, 0.0)
""",
    )
    report = check_file(path)
    assert results(report)["relu_where"].status == "passed"
    assert [n.kind for n in report.load_notes if n.line == line_of(path, "def batched")] == [
        "exception"
    ]
    softmax = results(report)["batched_softmax"]
    assert softmax.status == "failed"
    assert "check_shapes" in " ".join(p.message for p in softmax.problems)
