"""Timings of a pack's reference, measured in a trusted child the way the learner's code is.

The coach compares a passing solution's CPU time and peak memory with the reference's on the
same input. The reference runs in a child of its own, spawned from the same zygote with the
same limits, that never loads learner code: its timings are not disturbed by the learner's
file, and nothing the learner's code does reaches it.
"""

from __future__ import annotations

import time
from typing import Any

from tensorlings.catalogue import Catalogue
from tensorlings.checker.sandbox import ChildDied, ChildTimedOut, Limits, ZygoteHandle
from tensorlings.messages import ProtocolError, frames
from tensorlings.messages.frames import Profiled
from tensorlings.messages.requests import ProfileRequest

PROFILE_SECONDS = 30.0  # for all of one profile request's repeats


class ReferenceTimer:
    """A trusted child kept for timing the reference, spawned when first needed."""

    def __init__(self, zygote: ZygoteHandle, limits: Limits, pack: Catalogue) -> None:
        self.zygote, self.limits, self.pack = zygote, limits, pack
        self.child: Any = None

    def profile(self, exercise_id: str, args: list[Any], seed: int, repeats: int) -> Profiled:
        """The reference's timings on `args` (encoded); empty when the child failed."""
        if self.child is None or not self.child.alive:
            self.child = self.zygote.spawn(self.limits, trusted=True)
        pack = self.pack.path or self.pack.name
        request = ProfileRequest(exercise_id, str(pack), tuple(args), seed, repeats)
        got: list[Profiled] = []
        until = time.monotonic() + PROFILE_SECONDS

        def handle(frame: Any) -> bool:
            got.append(frames.parse_profiled(frame))
            return True

        try:
            self.child.exchange(request.to_wire(), lambda: until, handle)
        except (ChildDied, ChildTimedOut, ProtocolError):
            self.child = None
            return Profiled()
        return got[0]
