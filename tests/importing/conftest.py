"""Shared inputs of the importer's tests: the seed sheet (read as data, never copied) and the
second sheet written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorlings.importing.cells import read_sheet
from tensorlings.importing.stubs import Sheet, parse_cells

DATA = Path(__file__).parent / "data"
SEED_SHEET = Path("/work/shared/seed/000_cadbf9a5a332994f.txt")
MASKS = DATA / "masks"


@pytest.fixture(scope="session")
def seed_sheet() -> Path:
    if not SEED_SHEET.is_file():
        pytest.skip(f"the seed sheet is not on this machine ({SEED_SHEET})")
    return SEED_SHEET


def write_seed_solutions(path: Path) -> Path:
    """The seed sheet's solutions file, written from the built-in pack's references (the
    reference workbook), as an instructor's solutions file would hold them."""
    from tensorlings.workbook import reference_cells, to_py

    path.write_text(to_py(reference_cells()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def seed_solutions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_seed_solutions(tmp_path_factory.mktemp("solutions") / "seed_solutions.py")


@pytest.fixture(scope="session")
def seed_parsed(seed_sheet: Path) -> Sheet:
    return parse_cells(read_sheet(seed_sheet))
