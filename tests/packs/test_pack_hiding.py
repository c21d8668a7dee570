"""Learner code cannot read a pack's solutions: the worker covers the files of the pack being
checked (a local one included) and of every installed pack, in both sandbox modes.

The pack is put where the sandbox shows files (inside this Python's prefix, which the
read-only root exposes), so that only the covering can hide it; a file beside it that is not a
pack stays readable, which shows the learner's reading works and that it is the covering that
hides the pack.
"""

from __future__ import annotations

import importlib.util
import py_compile
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pack_fixtures import MARKER, PLAIN, write_file_pack, write_folder_pack

from command_runs import RunCommand
from tensorlings.checker.isolation import ENV
from tensorlings.checker.sandbox import ZygoteHandle

pytestmark = pytest.mark.slow

READER = """
from pathlib import Path

READ = {path!r}


def doubled(x):
    try:
        seen = {marker!r}.encode() in Path(READ).read_bytes()
    except OSError:
        seen = False
    # Doubles only when the file could be read: a pass means the learner read it.
    return x * 2 if seen else x * 0
"""


@pytest.fixture
def exposed_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="tensorlings-pack-hiding-", dir=sys.prefix))
    folder.chmod(0o755)  # the learner's code runs as another user in the full sandbox
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_reader(
    check_in: Callable[..., Any], folder: Path, pack: Path, read: Path, sandbox: str
) -> str:
    workbook = folder / "wb" / "workbook.py"
    workbook.parent.mkdir(exist_ok=True)
    header = f"# tensorlings-pack: {pack.stem} 1.0 from {pack}\n"
    workbook.write_text(header + READER.format(path=str(read), marker=MARKER), encoding="utf-8")
    result = check_in(sandbox, str(workbook), "--pack", str(pack), cwd=folder)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def weak_worker() -> Iterator[ZygoteHandle]:
    """One worker started in the weak mode (TENSORLINGS_SANDBOX=off) for this module's checks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, "off")
        zygote = ZygoteHandle()
    with zygote:
        yield zygote


@pytest.fixture
def check_in(run_tensorlings: RunCommand, weak_worker: ZygoteHandle) -> Callable[..., Any]:
    """`tensorlings check ARGS` in this process, in a worker of the sandbox mode asked for: the
    session's (full) or this module's weak one. A shared worker hides every pack as a fresh one
    would, since the files to cover are given to it with each check."""

    def check(sandbox: str, *args: str, cwd: Path) -> Any:
        if sandbox == "off":
            return run_tensorlings(
                "check", *args, cwd=cwd, env={**PLAIN, ENV: sandbox}, worker=weak_worker
            )
        return run_tensorlings("check", *args, cwd=cwd, env=PLAIN)

    return check


@pytest.mark.parametrize("sandbox", ["full", "off"])
def test_a_local_packs_solutions_are_not_readable(
    exposed_folder: Path, sandbox: str, check_in: Callable[..., Any]
) -> None:
    pack = write_folder_pack(exposed_folder)
    beside = exposed_folder / "beside.txt"
    beside.write_text(MARKER, encoding="utf-8")
    control = _check_reader(check_in, exposed_folder, pack, beside, sandbox)
    if "1 passed" not in control:
        pytest.skip(f"learner code cannot read files beside the pack here either:\n{control}")
    hidden = _check_reader(check_in, exposed_folder, pack, pack / "__init__.py", sandbox)
    assert "0 passed, 1 failed" in hidden, hidden


@pytest.mark.parametrize("sandbox", ["full", "off"])
def test_a_pack_files_source_and_bytecode_are_not_readable(
    exposed_folder: Path, sandbox: str, check_in: Callable[..., Any]
) -> None:
    pack = write_file_pack(exposed_folder / "packs")
    # Compiled as an import does where bytecode is written (this test's environment may not).
    bytecode = Path(py_compile.compile(str(pack), doraise=True))
    assert bytecode == Path(importlib.util.cache_from_source(str(pack)))
    beside = exposed_folder / "beside.txt"
    beside.write_text(MARKER, encoding="utf-8")
    control = _check_reader(check_in, exposed_folder, pack, beside, sandbox)
    if "1 passed" not in control:
        pytest.skip(f"learner code cannot read files beside the pack here either:\n{control}")
    for secret in (pack, bytecode):
        hidden = _check_reader(check_in, exposed_folder, pack, secret, sandbox)
        assert "0 passed, 1 failed" in hidden, f"{secret.name} was readable:\n{hidden}"


@pytest.mark.parametrize("sandbox", ["full", "off"])
def test_an_installed_packs_solutions_are_not_readable(
    tmp_path: Path, sandbox: str, check_in: Callable[..., Any]
) -> None:
    from tensorlings.packs import every_root

    (root,) = [r for r in every_root() if r.endswith("from_scratch")]
    source = Path(root) / "s01_masks.py"
    marker = "def tril("
    assert marker in source.read_text()
    workbook = tmp_path / "workbook.py"
    reader = READER.replace("{marker!r}", repr(marker)).format(path=str(source))
    workbook.write_text(reader, encoding="utf-8")
    # Checked against another pack: the installed from_scratch is hidden all the same.
    result = check_in(sandbox, str(workbook), "--pack", str(_tiny(tmp_path)), cwd=tmp_path)
    assert "0 passed, 1 failed" in result.stdout, result.stdout + result.stderr


def _tiny(folder: Path) -> Path:
    return write_folder_pack(folder / "packs")
