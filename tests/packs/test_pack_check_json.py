"""`tensorlings pack check --json` keeps to its published schema
(docs/reference/schemas/pack_check_cli.json), with findings and without."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pack_fixtures import write_file_pack

from schema_helpers import published
from tensorlings.cli import main

pytestmark = pytest.mark.slow  # the pack's references run in the checker's worker


def test_pack_check_json_of_a_broken_pack_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = write_file_pack(tmp_path)
    pack.write_text(pack.read_text().replace("return x * 2", "return x * 3"), encoding="utf-8")
    assert main(["pack", "check", str(pack), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    published("pack_check_cli.json").validate(data)
    assert data["findings"][0]["kind"] == "example_disagrees"
    data["findings"][0]["advice"] = None  # every finding says what to do
    assert not published("pack_check_cli.json").is_valid(data)


def test_pack_check_json_of_a_pack_that_does_not_import_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no')\n", encoding="utf-8")
    assert main(["pack", "check", str(broken), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    published("pack_check_cli.json").validate(data)
    assert (data["version"], data["findings"][0]["kind"]) == (None, "pack_error")
