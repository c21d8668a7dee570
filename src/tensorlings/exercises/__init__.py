"""The built-in default pack: the exercises of the "Pre-MLAB PyTorch Exercises" sheet."""

from __future__ import annotations

TITLE = "Pre-MLAB PyTorch Exercises"
VERSION = "1.0"

# The sections, in the sheet's order: an explicit list, no discovery at import time.
SECTIONS = (
    "s01_rearrange",
    "s02_tensor_vs_tensor",
    "s03_reduce",
    "s04_products_sampling",
    "s05_indexing",
    "s06_numerics",
    "s07_collecting",
    "s08_as_strided",
    "s09_relu",
)
