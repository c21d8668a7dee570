"""The command line as a user meets it: exact exit codes and the key words of each message."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tensorlings.cli import main

pytestmark = pytest.mark.slow


def run(args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "tensorlings", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_writes_workbook_and_never_overwrites(tmp_path, capsys):
    assert main(["init", str(tmp_path / "nb"), "--notebook"]) == 0
    assert (tmp_path / "nb" / "workbook.ipynb").exists()
    assert not (tmp_path / "nb" / "workbook.py").exists()  # one workbook per folder
    assert main(["init", str(tmp_path)]) == 0
    workbook = tmp_path / "workbook.py"
    assert workbook.exists()
    workbook.write_text(workbook.read_text() + "\n# my work\n")
    assert main(["init", str(tmp_path)]) == 2
    assert "# my work" in workbook.read_text()
    assert "--force" in capsys.readouterr().out


def test_check_of_fresh_workbook_is_all_not_started_and_exits_0(tmp_path, run_tensorlings):
    assert main(["init", str(tmp_path)]) == 0
    result = run_tensorlings("check", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "tensorlings.check/1"
    assert {e["status"] for e in report["exercises"]} == {"not_started"}


def test_check_of_failing_workbook_exits_1_and_records_progress(tmp_path, run_tensorlings):
    (tmp_path / "workbook.py").write_text(
        "import torch as t\n\ndef identity_matrix(n):\n    return t.eye(n)\n"
    )
    result = run_tensorlings("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "forbidden_call" in result.stdout and "eye" in result.stdout
    progress = json.loads((tmp_path / ".tensorlings" / "progress.json").read_text())
    assert progress["exercises"]["identity_matrix"]["status"] == "failed"


def test_check_of_unparsable_file_exits_2_with_the_line(tmp_path, run_tensorlings):
    (tmp_path / "workbook.py").write_text("def rearrange_1(:\n    pass\n")
    result = run_tensorlings("check", "--json", cwd=tmp_path)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["error"]["kind"] == "syntax_error" and report["error"]["line"] == 1


@pytest.mark.usefixtures("shared_checker")
def test_check_of_missing_file_says_what_to_do(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.py")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_unknown_exercise_suggests_close_ids(capsys):
    assert main(["show", "batched_sofmax"]) == 2
    assert "Did you mean batched_softmax" in capsys.readouterr().err


def test_hint_gives_the_next_level_each_time(tmp_path, capsys):
    assert main(["hint", "batched_softmax", "--dir", str(tmp_path)]) == 0
    first = capsys.readouterr().out
    assert "Hint 1/" in first and "Hint 2/" not in first
    assert main(["hint", "batched_softmax", "--dir", str(tmp_path)]) == 0
    assert "Hint 2/" in capsys.readouterr().out


def test_solution_is_recorded_as_revealed(tmp_path, capsys):
    assert main(["solution", "relu_where", "--dir", str(tmp_path), "--yes"]) == 0
    assert "def relu_where" in capsys.readouterr().out
    progress = json.loads((tmp_path / ".tensorlings" / "progress.json").read_text())
    assert progress["exercises"]["relu_where"]["solution_revealed"] is True


def test_damaged_progress_is_reported_and_rebuilt(tmp_path, capsys):
    folder = tmp_path / ".tensorlings"
    folder.mkdir()
    (folder / "progress.json").write_text("{not json")
    assert main(["progress", "--dir", str(tmp_path)]) == 0
    assert "damaged" in capsys.readouterr().out
    assert (folder / "progress.damaged.json").exists()


def test_check_reference_passes_everything(tmp_path, run_tensorlings):
    result = run_tensorlings("check", "--reference", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads(result.stdout)
    assert report["summary"]["passed"] == report["summary"]["total"]


def test_watch_once_checks_and_exits(tmp_path, run_tensorlings):
    (tmp_path / "workbook.py").write_text(
        "import torch as t\n\ndef relu_where(x):\n    return t.where(x > 0, x, 0.0)\n"
    )
    result = run_tensorlings("watch", "--once", "--poll", cwd=tmp_path)
    assert result.returncode == 0
    assert "Next:" in result.stdout


def test_in_notebook_check_reports_the_same_diagnosis(capsys):
    import tensorlings

    def batched_softmax(matrix):
        e = matrix.exp()
        return e / e.sum(-1, keepdim=True)

    result = tensorlings.check(batched_softmax)
    assert result.status == "failed"
    assert any(p.kind == "unstable" for p in result.problems)


@pytest.mark.gpu
def test_check_on_cuda_passes_the_reference(tmp_path):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine: --device cuda is tested on a GPU machine")
    result = run(["check", "--reference", "--device", "cuda", "--json"], tmp_path)
    assert result.returncode == 0


@pytest.mark.usefixtures("shared_checker")
def test_cuda_without_a_gpu_is_a_clear_usage_error(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    (tmp_path / "workbook.py").write_text("x = 1\n")
    assert main(["check", str(tmp_path / "workbook.py"), "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_the_docs_document_the_json_schema():
    reference = Path(__file__).resolve().parents[2] / "docs" / "reference" / "json.md"
    assert "tensorlings.check/1" in reference.read_text()


def test_folder_with_both_workbooks_checks_the_one_saved_last_and_says_so(tmp_path, capsys):
    import os

    from tensorlings.cli import find_workbook

    script = tmp_path / "workbook.py"
    notebook = tmp_path / "workbook.ipynb"
    script.write_text("x = 1\n")
    notebook.write_text("{}")
    os.utime(script, (1_000_000, 1_000_000))
    os.utime(notebook, (2_000_000, 2_000_000))
    assert find_workbook(str(tmp_path)) == notebook
    assert "holds both workbook.py and workbook.ipynb" in capsys.readouterr().err


@pytest.mark.usefixtures("shared_checker")
def test_missing_file_with_json_prints_a_json_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.py"), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["error"]["kind"] == "unreadable"
    assert "does not exist" in report["error"]["message"]
