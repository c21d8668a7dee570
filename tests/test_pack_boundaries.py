"""What an exercise needs said lives in its own pack: no exercise id outside its pack's folder,
and no message or advice that names a call the exercise forbids."""

from __future__ import annotations

import re
from pathlib import Path

import torch
import torch.nn.functional as F

from tensorlings import catalogue, packs

SRC = Path(__file__).resolve().parents[1] / "src" / "tensorlings"


def _is_torch_name(name: str) -> bool:
    """An id like `cumsum` is also torch's function: the word alone names the call."""
    return any(hasattr(space, name) for space in (torch, torch.Tensor, F))


def _mentions(ids: list[str], home: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        if home in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        named = sorted(i for i in ids if re.search(rf"\b{re.escape(i)}\b", text))
        if named:
            found[str(path.relative_to(SRC))] = named
    return found


def test_sheet_exercise_ids_appear_only_in_the_sheets_pack() -> None:
    ids = [e.id for e in catalogue.sheet().exercises]
    assert _mentions(ids, SRC / "exercises") == {}


def test_from_scratch_exercise_ids_appear_only_in_its_pack() -> None:
    ids = [e.id for e in packs.load("from_scratch").exercises if not _is_torch_name(e.id)]
    assert ids, "every id is a torch name: the test would check nothing"
    assert _mentions(ids, SRC / "packs" / "from_scratch") == {}
