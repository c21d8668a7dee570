"""Rebuild torch from scratch: a second built-in pack of exercises.

Each exercise rebuilds one familiar torch function (tril, cumsum, one_hot, roll, cdist, ...) out
of a few primitives, under a "may only use" rule: torch.arange for positions, comparisons and
torch.where for masks, broadcasting and indexing for everything else. Where the sheet teaches
the tools, this pack teaches how far they go.
"""

from __future__ import annotations

TITLE = "Rebuild torch from scratch"
VERSION = "1.0"

# The sections, in the order a learner meets them: masks first, since every later section
# builds its positions and masks the same way.
SECTIONS = (
    "s01_masks",
    "s02_comparisons",
    "s03_positions",
    "s04_broadcasting",
)
