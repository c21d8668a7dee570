"""`tensorlings pack import`: the pack it writes, its report, and its errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorlings import packs
from tensorlings.cli import main
from tensorlings.exercise import Family
from tensorlings.importing import ImportProblem, import_sheet

DATA = Path(__file__).parent / "data"
MASKS = DATA / "masks"


@pytest.fixture(scope="module")
def seed_pack(
    tmp_path_factory: pytest.TempPathFactory, seed_sheet: Path, seed_solutions: Path
) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("imported") / "seed_pack"
    return out, import_sheet(seed_sheet, seed_solutions, out)


def test_the_imported_seed_pack_loads_with_every_function_and_puzzle(
    seed_pack: tuple[Path, object],
) -> None:
    out, _ = seed_pack
    pack = packs.load(str(out))
    ids = [e.id for e in pack.exercises]
    assert ids[:3] == ["rearrange_1", "rearrange_2", "rearrange_3"]
    assert len(ids) == 31 and ids[-6:] == [f"as_strided_{n}" for n in range(1, 7)]
    assert all(e.examples for e in pack.exercises)


def test_the_report_lists_each_function_with_its_examples_and_each_todo(
    seed_pack: tuple[Path, object],
) -> None:
    out, report = seed_pack
    lines = report.lines()  # type: ignore[attr-defined]
    assert "  integer_array_indexing: 2 examples" in lines
    todos = [line for line in lines if ": TODO: " in line]
    assert len(todos) == 5  # two index ranges, three predict-the-output questions
    assert (out / "IMPORT_REPORT.txt").read_text().splitlines() == lines


def test_guesses_are_marked_in_the_pack_source(seed_pack: tuple[Path, object]) -> None:
    source = (seed_pack[0] / "__init__.py").read_text()
    assert "# inferred rule: only arange, rearrange" in source
    assert "# TODO: the range of the axis these index" in source
    assert "# TODO: a predict-the-output question" in source


def test_a_rule_the_reference_breaks_is_shown_not_applied(seed_pack: tuple[Path, object]) -> None:
    pack = packs.load(str(seed_pack[0]))
    normalized = next(e for e in pack.exercises if e.id == "temperatures_normalized")
    assert normalized.rules.required == ()
    assert "not applied: must call torch.std" in (seed_pack[0] / "__init__.py").read_text()


def test_without_solutions_every_reference_is_a_todo(tmp_path: Path) -> None:
    report = import_sheet(MASKS / "sheet.md", None, tmp_path / "p")
    assert sum("write the reference solution" in t for t in report.todos) == 10


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("out_not_empty", "already exists and is not an empty folder"),
        ("no_stubs", "no exercise found"),
        ("bad_solutions", r"is not valid Python \(line 1"),
        ("missing_sheet", "does not exist"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, setup: str, message: str
) -> None:
    sheet, solutions, out = MASKS / "sheet.md", None, tmp_path / "out"
    if setup == "out_not_empty":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    elif setup == "no_stubs":
        sheet = tmp_path / "empty.md"
        sheet.write_text("# Nothing\n\n```python\nx = 1\n```\n")
    elif setup == "bad_solutions":
        solutions = tmp_path / "sol.py"
        solutions.write_text("def f(:\n")
    else:
        sheet = tmp_path / "missing.md"
    with pytest.raises(ImportProblem, match=message):
        import_sheet(sheet, solutions, out)
    assert not (out / "__init__.py").exists()


def test_the_cli_subcommand_imports_and_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "masks_pack"
    code = main(
        [
            "pack",
            "import",
            str(MASKS / "sheet.md"),
            "--solutions",
            str(MASKS / "solutions.py"),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0 and (out / "__init__.py").is_file()
    assert printed.startswith(f"imported 10 exercises into {out}: 10 functions")
    assert "question at sheet line" in printed


def test_the_cli_maps_bad_input_to_exit_2_and_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["pack", "import", str(tmp_path / "nope.md"), "--out", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert (
        code == 2 and "nope.md does not exist" in captured.err and "Traceback" not in captured.err
    )


def test_gradients_join_the_contract_when_the_sheets_input_requires_them(
    seed_pack: tuple[Path, object],
) -> None:
    pack = packs.load(str(seed_pack[0]))
    relu = next(e for e in pack.exercises if e.id == "relu_where")
    assert relu.cases is not None and relu.cases.grad_args == (0,)
    assert relu.tiers.fails(Family.GRADIENTS)
    assert [c.label for c in relu.rules.forbidden] == ["relu (or a built-in that computes it)"]


def test_the_same_sheet_as_a_notebook_or_a_cell_script_imports_alike(tmp_path: Path) -> None:
    from tensorlings.importing.cells import CellKind, read_sheet

    cells = read_sheet(MASKS / "sheet.md")
    notebook = {
        "cells": [
            {
                "cell_type": "code" if c.kind is CellKind.CODE else "markdown",
                "source": c.text if c.kind is CellKind.CODE else f"## {c.heading}\n{c.text}",
            }
            for c in cells
        ]
    }
    (tmp_path / "sheet.ipynb").write_text(json.dumps(notebook))
    script = "\n".join(
        f"# %%\n{c.text}\n" if c.kind is CellKind.CODE else f"# %% [markdown]\n# ## {c.heading}\n"
        for c in cells
    )
    (tmp_path / "sheet.py").write_text(script)
    from_md = import_sheet(MASKS / "sheet.md", None, tmp_path / "a")
    for name in ("sheet.ipynb", "sheet.py"):
        other = import_sheet(tmp_path / name, None, tmp_path / name.replace(".", "_"))
        assert other.functions == from_md.functions
        assert other.examples == from_md.examples
