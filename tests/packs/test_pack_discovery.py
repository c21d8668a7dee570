"""Packs are found, not listed: installed packs through the `tensorlings.packs` entry point
group, local ones by path; a wrong --pack says which packs there are."""

from __future__ import annotations

from pathlib import Path

import pytest
from pack_fixtures import install_pack, tensorlings, write_file_pack

from tensorlings import packs
from tensorlings.errors import PackError

pytestmark = pytest.mark.slow


def test_builtin_packs_register_through_the_entry_point_group() -> None:
    found = packs.installed()
    assert list(found)[:1] == ["sheet"]
    assert "from_scratch" in found
    assert len(packs.load("from_scratch")) == 18
    assert packs.load("sheet") is packs.load(None)


def test_an_installed_pack_is_listed_by_tensorlings_packs(tmp_path: Path) -> None:
    site = install_pack(tmp_path / "site")
    result = tensorlings("packs", cwd=tmp_path, pythonpath=site)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if " tiny " in line)
    for column in ("Tiny pack", "1.0", "tiny_installed 0.3", "1"):
        assert column in row
    assert "from_scratch" in result.stdout and "sheet" in result.stdout


def test_an_installed_pack_is_used_by_name(tmp_path: Path) -> None:
    site = install_pack(tmp_path / "site")
    result = tensorlings("check", "--reference", "--pack", "tiny", cwd=tmp_path, pythonpath=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed, 0 not started, of 1." in result.stdout


def test_a_wrong_pack_name_lists_the_installed_packs(tmp_path: Path) -> None:
    result = tensorlings("init", "--pack", "no_such_pack", str(tmp_path / "wb"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: there is no pack 'no_such_pack'. Installed packs: ")
    assert "sheet" in result.stderr and "from_scratch" in result.stderr
    assert not (tmp_path / "wb").exists()


def test_a_path_that_is_not_a_pack_says_why(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(PackError, match=r"without __init__\.py, so it is not a pack"):
        packs.load(str(tmp_path / "plain"))
    broken = tmp_path / "broken.py"
    broken.write_text("TITLE = 'x'\n", encoding="utf-8")
    with pytest.raises(PackError, match="does not define VERSION, EXERCISES"):
        packs.load(str(broken))


def test_a_pack_file_is_loaded_by_path(tmp_path: Path) -> None:
    pack = packs.load(str(write_file_pack(tmp_path)))
    assert (pack.name, pack.version, pack.ids()) == ("tiny", "1.0", ("doubled",))
    assert pack.path == str(tmp_path / "tiny.py")
    assert pack.roots[0] == str(tmp_path / "tiny.py")
    assert all(root.endswith(".pyc") and "__pycache__" in root for root in pack.roots[1:])
