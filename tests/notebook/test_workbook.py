"""The workbooks teach checking in place; the notebook has a check cell under each exercise,
is a valid notebook, and `tensorlings check` reads it without a note about those lines."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tensorlings import catalogue, cli, workbook


def test_init_notebook_writes_a_valid_notebook_with_a_check_cell_per_exercise(
    tmp_path: Path,
) -> None:
    assert cli.main(["init", "--notebook", str(tmp_path)]) == 0
    nb = nbformat.read(tmp_path / "workbook.ipynb", as_version=4)
    nbformat.validate(nb)  # what Jupyter and VS Code check when they open it
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "import tensorlings" in code[0]
    # The %%check magic is ready once the first code cell ran, after tensorlings' import.
    assert code[0].index("import tensorlings") < code[0].index("%load_ext tensorlings")
    for exercise in catalogue.exercises():
        at = next(i for i, text in enumerate(code) if f"def {exercise.id}(" in text)
        assert code[at + 1] == f"tensorlings.check({exercise.id})"
    assert "tensorlings.check(ID)" in nb.cells[0].source


def test_the_py_workbook_says_how_to_check_in_place() -> None:
    text = workbook.to_py(workbook.learner_cells())
    assert "tensorlings.check(ID)" in text and "%%check" in text
    assert "\ntensorlings.check(" not in text  # no check cells: the CLI checks a .py file


@pytest.mark.slow
@pytest.mark.usefixtures("shared_checker")
def test_the_cli_checks_the_notebook_without_notes_about_the_check_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "workbook.ipynb"
    cells = workbook.learner_cells([catalogue.get("relu_abs")], notebook=True)
    cells.append(workbook.WorkbookCell("code", "%load_ext tensorlings"))
    cells.append(workbook.WorkbookCell("code", "%%check\ndef relu_where(x):\n    return x"))
    path.write_text(workbook.to_ipynb(cells), encoding="utf-8")
    assert cli.main(["check", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["load_notes"] == []
    statuses = {e["id"]: e["status"] for e in report["exercises"]}
    assert statuses["relu_abs"] == "not_started" and statuses["relu_where"] == "failed"


def test_running_the_notebooks_first_code_cell_makes_the_check_magic_ready() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    cells = workbook.learner_cells([catalogue.get("relu_abs")], notebook=True)
    first = next(cell.text for cell in cells if cell.kind == "code")
    shell = InteractiveShell.instance()
    try:
        outcome = shell.run_cell(first)
        assert outcome.success, outcome.error_in_exec
        assert "check" in shell.magics_manager.magics["cell"]
    finally:
        InteractiveShell.clear_instance()
