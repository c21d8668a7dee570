"""Habits of the tools learners know: `reset ID` puts one stub back (and nothing else changes),
`solution` asks first, an unknown id is answered before torch loads, and `check(lambda)` in a
plain script says what to run instead."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tensorlings import catalogue, workbook
from tensorlings.cli import main

SOLVED = "    return torch.where(x > 0, x, torch.zeros_like(x))\n"


class Answer(io.StringIO):
    """A terminal's stdin that answers the question with `text`."""

    def isatty(self) -> bool:
        return True


def _solve(text: str, exercise_id: str, body: str) -> str:
    stub = workbook.stub(catalogue.get(exercise_id))
    assert stub in text
    return text.replace(stub, stub.replace("    pass\n", body), 1)


def _fresh(tmp_path: Path, notebook: bool = False) -> Path:
    assert main(["init", str(tmp_path), *(["--notebook"] if notebook else [])]) == 0
    return tmp_path / ("workbook.ipynb" if notebook else "workbook.py")


def test_reset_puts_back_one_stub_and_leaves_every_other_byte(tmp_path, capsys):
    path = _fresh(tmp_path)
    worked = _solve(path.read_text(encoding="utf-8"), "relu_where", SOLVED)
    worked = _solve(worked, "relu_abs", "    return (x + x.abs()) / 2\n")
    path.write_bytes(worked.replace("\n", "\r\n").encode("utf-8"))  # Windows line endings
    before = path.read_bytes()
    assert main(["reset", "relu_where", str(path), "--yes"]) == 0
    assert (tmp_path / "workbook.py.bak").read_bytes() == before
    said = capsys.readouterr().out
    assert "workbook.py.bak" in said and "relu_where" in said
    stub = workbook.stub(catalogue.get("relu_where"))
    expected = worked.replace(stub.replace("    pass\n", SOLVED), stub, 1)
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode("utf-8")


def _edited(notebook: dict, exercise_id: str, source: list[str]) -> None:
    for cell in notebook["cells"]:
        if f"def {exercise_id}(" in "".join(cell["source"]):
            cell["source"] = source


def _written(path: Path, notebook: dict) -> bytes:
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path.read_bytes()


def test_reset_of_a_notebook_changes_only_that_exercises_cell(tmp_path):
    path = _fresh(tmp_path, notebook=True)
    fresh = path.read_bytes()
    notebook = json.loads(fresh)
    _edited(notebook, "relu_abs", ["def relu_abs(x):\n", "    return (x + x.abs()) / 2"])
    expected = _written(path, notebook)
    _edited(notebook, "relu_where", ["def relu_where(x):\n", "    return x.clamp(min=0)"])
    _written(path, notebook)
    assert main(["reset", "relu_where", str(path), "--yes"]) == 0
    assert path.read_bytes() == expected
    assert main(["reset", "relu_abs", str(path), "--yes"]) == 0
    assert path.read_bytes() == fresh


def test_reset_mends_a_function_with_a_syntax_error(tmp_path):
    path = _fresh(tmp_path)
    broken = _solve(path.read_text(encoding="utf-8"), "relu_where", "    return (x\n")
    path.write_text(broken, encoding="utf-8")
    assert main(["reset", "relu_where", str(path), "--yes"]) == 0
    assert path.read_bytes() == workbook.to_py(workbook.learner_cells()).encode("utf-8")


def test_reset_asks_first_and_refuses_without_a_terminal(tmp_path, capsys, monkeypatch):
    path = _fresh(tmp_path)
    worked = _solve(path.read_text(encoding="utf-8"), "relu_where", SOLVED)
    path.write_text(worked, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["reset", "relu_where", str(path)]) == 2
    assert "--yes" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", Answer("n\n"))
    assert main(["reset", "relu_where", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == worked
    assert not (tmp_path / "workbook.py.bak").exists()
    monkeypatch.setattr(sys, "stdin", Answer("y\n"))
    assert main(["reset", "relu_where", str(path)]) == 0
    assert path.read_text(encoding="utf-8") != worked


def test_solution_asks_before_it_reveals(tmp_path, capsys, monkeypatch):
    reference = "def relu_where"
    progress = tmp_path / ".tensorlings" / "progress.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["solution", "relu_where", "--dir", str(tmp_path)]) == 2
    shown = capsys.readouterr()
    assert reference not in shown.out and "--yes" in shown.err
    assert not progress.exists()
    monkeypatch.setattr(sys, "stdin", Answer("no\n"))
    assert main(["solution", "relu_where", "--dir", str(tmp_path)]) == 0
    assert reference not in capsys.readouterr().out and not progress.exists()
    monkeypatch.setattr(sys, "stdin", Answer("y\n"))
    assert main(["solution", "relu_where", "--dir", str(tmp_path)]) == 0
    assert reference in capsys.readouterr().out
    assert json.loads(progress.read_text())["exercises"]["relu_where"]["solution_revealed"]


def test_a_revealed_solution_is_never_wrapped_into_broken_code(tmp_path, capsys, monkeypatch):
    # Wrapping a comment at the screen's edge makes its tail a line of code: what the learner
    # copies must be the reference as written (the terminal wraps long lines for the eye).
    monkeypatch.setenv("COLUMNS", "40")
    assert main(["solution", "relu_abs", "--dir", str(tmp_path), "--yes"]) == 0
    shown = capsys.readouterr().out
    code = workbook.ReferenceSource().code(catalogue.get("relu_abs"))
    assert max(len(line) for line in code.splitlines()) > 40
    assert code.strip() in shown


PROBE = """
import sys, time
from tensorlings.cli import main
started = time.monotonic()
code = main(sys.argv[1:])
print(code, "torch" in sys.modules, round(time.monotonic() - started, 3))
"""


@pytest.mark.parametrize(
    "argv",
    [["check", "--exercise", "relu_wher"], ["hint", "relu_wher"], ["solution", "relu_wher"]],
    ids=["check", "hint", "solution"],
)
def test_an_unknown_id_is_answered_before_torch_loads(tmp_path, argv):
    _fresh(tmp_path)
    shown = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, torch_loaded, _seconds = shown.stdout.split()
    assert code == "2" and torch_loaded == "False"
    assert "Did you mean relu_where" in shown.stderr


def test_check_of_a_lambda_in_a_plain_script_says_to_use_the_command_line(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text(
        "import tensorlings\n"
        "try:\n"
        "    tensorlings.check(lambda x: x.clamp(min=0))\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    shown = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert shown.stdout.startswith("TensorlingsError ")
    assert f"tensorlings check {script}" in shown.stdout
    assert "notebook" in shown.stdout and "cell" not in shown.stdout.split("notebook")[0]
    assert time.monotonic() - started < 60
