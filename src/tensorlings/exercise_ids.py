"""An unknown exercise id answered at once: the command line checks `--exercise` and `ID`
against the sheet's ids (generated into the sheet's own `exercises/ids.py`) before it imports
torch or starts a worker, so a typo costs no seconds. Another pack's ids are only known once
it loads."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

from tensorlings.errors import UnknownExercise

SHEET = "sheet"
_HEADER = re.compile(r"tensorlings-pack: ([A-Za-z0-9_-]+) ")
_HEADER_BYTES = 256 * 1024  # the header is in the first cell


def unknown_exercise(
    exercise_id: str, ids: Iterable[str], pack: str = SHEET, option: str = ""
) -> UnknownExercise:
    """The error for an id the pack does not have, with the close ones ("did you mean")."""
    close = difflib.get_close_matches(exercise_id, list(ids), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    where = "" if pack == SHEET else f" in pack {pack!r}"
    return UnknownExercise(
        f"There is no exercise {exercise_id!r}{where}.{hint} "
        f"Run `tensorlings list{option}` to see them all."
    )


def _made_from_another_pack(workbook: Path | None) -> bool:
    if workbook is None:
        return False
    try:
        with open(workbook, "rb") as stream:
            head = stream.read(_HEADER_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    found = _HEADER.search(head)
    return found is not None and found.group(1) != SHEET


def refuse_unknown(given: Iterable[str] | None, pack: str | None, workbook: Path | None) -> None:
    """Raise for the first id the sheet does not have, when the sheet is the pack in use (no
    --pack, and no workbook header naming another pack); otherwise leave it to the pack."""
    if not given or pack is not None or _made_from_another_pack(workbook):
        return
    from tensorlings.exercises.ids import IDS

    for exercise_id in given:
        if exercise_id not in IDS:
            raise unknown_exercise(exercise_id, IDS)
