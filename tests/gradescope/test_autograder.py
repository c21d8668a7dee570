"""`tensorlings gradescope build`: the zip, and its run_autograder run against a fake
/autograder layout in a temporary folder (the test venv's Python stands in for the one
setup.sh installs: setup.sh needs the network, so it is only syntax-checked here)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tensorlings.cli import main

pytestmark = pytest.mark.slow

GOOD = """\
import torch
from einops import rearrange


def rearrange_1():
    return rearrange(torch.arange(3, 9), "(r c) -> r c", c=2)


def rearrange_2():
    return torch.tensor([[9, 9, 9], [9, 9, 9]])
"""
CONFIG = """\
[weights]
default = 0.5
rearrange_1 = 4

[gradescope]
visibility = "after_published"
stdout_visibility = "hidden"
"""


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gradescope")
    (folder / "grading.toml").write_text(CONFIG)
    zip_path = folder / "autograder.zip"
    # This machine has no full sandbox yet: the zip is told to check anyway (settings.json).
    argv = ["gradescope", "build", "--out", str(zip_path), "--config", str(folder / "grading.toml"),
            "--allow-weak-isolation"]  # fmt: skip
    assert main(argv) == 0
    return zip_path


def fake_root(zip_path: Path, folder: Path, files: dict[str, str | bytes]) -> Path:
    """The layout Gradescope makes: source/ (the zip), run_autograder, submission/."""
    root = folder / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    for name, content in files.items():
        path = root / "submission" / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def run_autograder(root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "TENSORLINGS_PYTHON": sys.executable}
    done = subprocess.run(
        [str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_holds_what_gradescope_needs_at_its_root(autograder: Path) -> None:
    with zipfile.ZipFile(autograder) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        requirements = archive.read("requirements.txt").decode().splitlines()
        settings = json.loads(archive.read("settings.json"))
    assert {"setup.sh", "run_autograder", "requirements.txt", "grading.toml"} <= names
    assert "tensorlings/checker/check.py" in names
    assert not [n for n in names if "__pycache__" in n]
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert any(line.startswith("torch==2.13.0") for line in requirements)
    assert all("==" in line for line in requirements if not line.startswith(("--", "tomli")))
    assert settings["allow_weak_isolation"] is True


def test_setup_sh_is_valid_bash(autograder: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(autograder) as archive:
        archive.extract("setup.sh", tmp_path)
    assert subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")]).returncode == 0


def test_run_autograder_scores_a_submission_with_the_config_weights(
    autograder: Path, tmp_path: Path
) -> None:
    results = run_autograder(fake_root(autograder, tmp_path, {"workbook.py": GOOD}))
    tests = {t["name"].split(" ")[0]: t for t in results["tests"]}
    assert len(tests) == 36
    assert (tests["rearrange_1"]["score"], tests["rearrange_1"]["max_score"]) == (4.0, 4.0)
    assert (tests["rearrange_2"]["score"], tests["rearrange_2"]["max_score"]) == (0.0, 0.5)
    assert tests["rearrange_2"]["status"] == "failed"
    assert "wrong_values" in tests["rearrange_2"]["output"]
    assert results["score"] == 4.0
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}
    assert results["stdout_visibility"] == "hidden"
    assert results["extra_data"]["flag"] is None
    assert "4 of 21.5 points" in results["output"]
    assert str(tmp_path) not in json.dumps(results["tests"])  # no internal paths for students


@pytest.mark.parametrize(
    ("files", "flag"),
    [({"workbook.py": ""}, "empty"), ({"essay.pdf": b"%PDF-1.4\x00"}, "not_a_workbook")],
)
def test_run_autograder_flags_an_odd_upload_and_still_writes_every_test(
    autograder: Path, tmp_path: Path, files: dict, flag: str
) -> None:
    results = run_autograder(fake_root(autograder, tmp_path, files))
    assert results["extra_data"]["flag"] == flag
    assert results["score"] == 0.0
    assert len(results["tests"]) == 36
    assert results["output"].startswith("Note: the upload is")
