"""The kernel's cells as a workbook, where a function's source is found, and what check returns:
without a kernel (the kernel tests are in test_in_kernel.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorlings.checker.check import check_path
from tensorlings.checker.source import read_workbook
from tensorlings.notebook.cells import (
    KernelCell,
    loadable,
    notebook_cells,
    without_later_definitions,
)
from tensorlings.notebook.locate import SourceUnavailable, locate
from tensorlings.notebook.result import NotebookReport
from tensorlings.notebook.runner import _write


def test_tensorlings_own_statements_are_blanked_and_every_line_stays() -> None:
    code = "import tensorlings\ndef f(x):\n    return x\n\nr = tensorlings.check(\n    f)\nprint(1)"
    kept = loadable(code)
    assert kept.split("\n") == ["", "def f(x):", "    return x", "", "", "", "print(1)"]


def test_cells_are_numbered_by_execution_count_and_reruns_load_once() -> None:
    history = [
        KernelCell(1, "import torch"),
        KernelCell(2, "def f(x):\n    return x"),
        KernelCell(4, "%%check\ndef g(x):\n    return x"),
        KernelCell(5, "def f(x):\n    return x"),  # cell 2 run again
    ]
    cells = notebook_cells(history)
    assert cells == ["import torch", "", "", "\ndef g(x):\n    return x", "def f(x):\n    return x"]


def test_an_older_definition_is_checked_when_it_is_the_one_passed() -> None:
    cells = ["def f(x):\n    return 1", "X = 2\ndef f(x):\n    return 2"]
    assert without_later_definitions(cells, "f", 1) == ["def f(x):\n    return 1", "X = 2\n\n"]


def _cell_function(source: str, name: str) -> object:
    """A function compiled the way a kernel compiles a cell (its text in linecache)."""
    import linecache

    filename = f"/tmp/ipykernel_0/{abs(hash(source))}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, object] = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def test_a_function_is_found_in_the_latest_cell_that_compiled_it() -> None:
    source = "def relu_abs(x):\n    return (x + x.abs()) / 2"
    fn = _cell_function(source, "relu_abs")
    history = [KernelCell(3, source), KernelCell(7, "print(2)"), KernelCell(9, source)]
    assert locate(fn, "relu_abs", history).cell == 9


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: lambda x: x, "it is a lambda"),
        (lambda: len, "not a Python function"),
        (lambda: _exec_made(), "made by exec"),
        (lambda: _cell_function("def relu_abs(x):\n    return x", "relu_abs"), "run its cell"),
    ],
)
def test_a_source_that_cannot_be_recovered_is_said_clearly(make: object, words: str) -> None:
    with pytest.raises(SourceUnavailable, match=words):
        locate(make(), "relu_abs", [KernelCell(1, "import torch")])  # type: ignore[operator]


def _exec_made() -> object:
    namespace: dict[str, object] = {}
    exec("def relu_abs(x):\n    return x", namespace)
    return namespace["relu_abs"]


def test_the_notebook_written_for_the_checker_keeps_cell_and_line_numbers(tmp_path: Path) -> None:
    cells = ["import torch", "", "\n\ndef f(x):\n    return x\n\n"]
    workbook = read_workbook(_write(tmp_path, cells))
    assert [c.line for c in workbook.cells] == [1, 2, 3]
    assert workbook.where(5) == "cell 3, line 3"


def test_the_result_has_a_short_repr_and_the_clis_json(tmp_path: Path, zygote: object) -> None:
    path = _write(tmp_path, ["import torch", "def relu_abs(x):\n    return x"])
    report = check_path(path, exercise_ids=["relu_abs"], zygote=zygote)  # type: ignore[arg-type]
    result = NotebookReport.joined([report], ["relu_abs"]).results[0]
    assert repr(result) == "<tensorlings: relu_abs failed>"
    assert result.to_json() == report.to_json()["exercises"][0]
    assert json.loads(json.dumps(result._repr_mimebundle_()))  # plain JSON for the front end
    html = result._repr_html_()
    assert 'data-status="failed"' in html and "relu_abs" in html
    assert "relu_abs (failed)" in str(result)


def test_a_function_from_a_cell_with_magics_is_found_by_its_compiled_text() -> None:
    raw = "%time x = 1\ndef relu_abs(x):\n    return x"
    parsed = "print('x = 1')\ndef relu_abs(x):\n    return x"  # as if transformed
    fn = _cell_function(parsed, "relu_abs")
    assert locate(fn, "relu_abs", [KernelCell(2, raw, parsed)]).cell == 2


def test_a_function_named_unlike_any_exercise_is_refused_with_what_to_do() -> None:
    from tensorlings.checker.sandbox import Limits
    from tensorlings.notebook.locate import NotebookError
    from tensorlings.notebook.runner import check_one

    def my_relu(x: object) -> object:
        return x

    with pytest.raises(NotebookError, match="not the name of an exercise"):
        check_one(my_relu, None, 0, Limits(), {})
    with pytest.raises(NotebookError, match="Name it relu_abs"):
        check_one(my_relu, "relu_abs", 0, Limits(), {})


def test_a_function_defined_under_a_timing_magic_is_found_by_its_bytecode() -> None:
    cell = "%%time\ndef relu_abs(x):\n    return (x + x.abs()) / 2"
    namespace: dict[str, object] = {}
    exec(
        compile("def relu_abs(x):\n    return (x + x.abs()) / 2", "<timed exec>", "exec"), namespace
    )
    other = KernelCell(4, "%%time\ndef relu_abs(x):\n    return x.abs()")
    found = locate(namespace["relu_abs"], "relu_abs", [KernelCell(2, cell), other])
    assert found.cell == 2
    assert notebook_cells([KernelCell(1, cell)]) == [
        "\ndef relu_abs(x):\n    return (x + x.abs()) / 2"
    ]


def test_the_html_says_which_sandbox_layers_are_missing_where_some_are() -> None:
    from tensorlings.views.notebook_html import isolation_html

    weak = {"full": False, "missing": ["mount_namespace: not permitted", "seccomp: no x86-64"]}
    assert "layers missing here: mount_namespace, seccomp" in isolation_html(weak)
    assert "full sandbox" in isolation_html({"full": True, "missing": []})


def test_an_import_of_the_solutions_is_kept_for_the_checker_to_judge() -> None:
    code = "from tensorlings import solutions\nfrom tensorlings import check\ncheck(f)"
    assert loadable(code).split("\n") == ["from tensorlings import solutions", "", ""]


_PACK = """
import torch
from tensorlings.exercise import Call, Example, Exercise, RandomCases, Rules

TITLE = "Means"
VERSION = "0.1"


def column_means(x: torch.Tensor) -> torch.Tensor:
    return x.mean(dim=0)


EXERCISES = (
    Exercise(
        id="column_means", section="Means", title="Column means",
        prompt="Return the mean of each column of a float matrix of shape (rows, cols).",
        solution=column_means, hints=("Which dim holds the rows?",),
        examples=(Example((torch.tensor([[1.0, 2.0], [3.0, 4.0]]),), torch.tensor([2.0, 3.0])),),
        cases=RandomCases(make=lambda d: (d.normal("rows", "cols"),),
                          sizes={"rows": (1, 5), "cols": (1, 5)}),
        rules=Rules(required=(Call("torch.mean", ("mean",)),)),
    ),
)
"""


def test_a_pack_exercise_with_a_required_call_passes_in_place_as_on_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tensorlings import packs
    from tensorlings.checker.sandbox import Limits
    from tensorlings.notebook import runner

    pack_file = tmp_path / "means_pack.py"
    pack_file.write_text(_PACK, encoding="utf-8")
    pack = packs.load(str(pack_file))
    source = "def column_means(x):\n    return x.mean(dim=0)"
    fn = _cell_function(source, "column_means")
    history = [KernelCell(1, "import torch"), KernelCell(2, source)]
    monkeypatch.setattr(runner, "kernel_history", lambda: history)
    report = runner.check_one(fn, None, 0, Limits(), {"column_means": fn}, pack)
    (result,) = report.results
    assert result.status == "passed", result.to_json()
