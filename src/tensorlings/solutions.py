"""Every reference solution by its exercise id: `from tensorlings.solutions import softmax`.

Generated from the catalogue at import time, so the catalogue stays the one source of truth.
"""

from __future__ import annotations

from tensorlings.catalogue import exercises

__all__ = [ex.id for ex in exercises()]
globals().update({ex.id: ex.solution for ex in exercises()})
