"""The order in which a class is checked: the submissions likely to take longest first.

A submission that runs into its time limits (a loop that never ends costs the whole
per-call limit, 5 s by default) takes as long as several ordinary ones. Handed to the pool
last, it keeps one worker busy while the others have nothing left to do; handed over first
(longest processing time first), the others check the rest of the class meanwhile. Only the
order changes: each submission is still checked alone, in its own sandbox, with the same
limits, and results are saved and reported under their own names whatever the order.

What a submission will cost is guessed from what is known before checking it: how long its
previous version took, when an earlier run of the same output folder checked one, or else
whether its code has a `while` loop (the usual way to run until the limit). A wrong guess
only costs the balance it was meant to win.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Mapping, Sequence
from typing import TypeVar

from tensorlings.grading.model import Graded

# A `while` statement at the start of a line: of a .py file, or of a notebook cell's source
# line (a JSON string, so after a quote).
_WHILE = re.compile(rb'(?:^|")[ \t]*while\b', re.MULTILINE)

_T = TypeVar("_T")


def expected_seconds(content: bytes, earlier: Graded | None) -> float | None:
    """How long checking this workbook should take: what its previous version took in this
    output folder (`earlier`), infinite for a loop that may run to the time limits (the
    limits are per call, so it may hit them more than once), None when there is no clue."""
    if earlier is not None and earlier.report.error is None:
        return sum(result.duration_s for result in earlier.report.exercises)
    if _WHILE.search(content):
        return math.inf
    return None


def longest_first(items: Sequence[_T], expected: Mapping[int, float | None]) -> list[_T]:
    """`items` sorted by their expected seconds (by position), longest first; one with no
    guess counts as the typical time measured. Equal guesses keep their order."""
    known = [s for s in expected.values() if s is not None and math.isfinite(s)]
    typical = statistics.median(known) if known else 0.0

    def cost(position: int) -> float:
        seconds = expected.get(position)
        return typical if seconds is None else seconds

    order = sorted(range(len(items)), key=lambda position: -cost(position))
    return [items[position] for position in order]
