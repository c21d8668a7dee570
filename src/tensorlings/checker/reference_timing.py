"""Timings of a pack's reference, measured in a trusted child the way the learner's code is.

The coach compares a passing solution's CPU time and peak memory with the reference's on the
same input. The reference runs in a child of its own, spawned from the same zygote with the
same limits, that never loads learner code: its timings are not disturbed by the learner's
file, and nothing the learner's code does reaches it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tensorlings.catalogue import Catalogue
from tensorlings.checker.sandbox import ChildDied, ChildTimedOut, Limits, ZygoteHandle
from tensorlings.messages import ProtocolError, frames
from tensorlings.messages.frames import Profiled
from tensorlings.messages.requests import ProfileRequest

PROFILE_SECONDS = 30.0  # for all of one profile request's repeats
PEAKS_KEPT = 256  # reference measures kept for memory advice alone, per process

# Memory advice alone (grade's default) reads only the reference's peak memory, which the
# machine's load does not move: measured once per process for the same pack, input, seed and
# limits, and then reused. A grade's pool process checks one submission after another, and
# every passing solution of an exercise is compared with the same reference run; each
# measure costs a trusted child and the reference's runs (~0.1 s of CPU). Timing advice
# measures the reference anew, interleaved with the learner's runs (coach.py).
_PEAKS: dict[tuple[Any, ...], Profiled] = {}


class ReferenceTimer:
    """A trusted child kept for timing the reference, spawned when first needed."""

    def __init__(self, zygote: ZygoteHandle, limits: Limits, pack: Catalogue) -> None:
        self.zygote, self.limits, self.pack = zygote, limits, pack
        self.child: Any = None

    def profile(
        self, exercise_id: str, args: list[Any], seed: int, repeats: int, peaks_only: bool = False
    ) -> Profiled:
        """The reference's timings on `args` (encoded); empty when the child failed.
        `peaks_only`: only its peak memory will be read, so a measure of the same run that
        this process made before is as good."""
        if not peaks_only:
            return self._measure(exercise_id, args, seed, repeats)
        pack = self.pack
        given = json.dumps(args, sort_keys=True)
        key = (pack.name, pack.version, pack.path, self.limits, exercise_id, seed, repeats, given)
        if key not in _PEAKS:
            measured = self._measure(exercise_id, args, seed, repeats)
            if not measured.cpu_seconds:
                return measured  # a failed measure is tried again next time
            if len(_PEAKS) >= PEAKS_KEPT:
                del _PEAKS[next(iter(_PEAKS))]
            _PEAKS[key] = measured
        return _PEAKS[key]

    def _measure(self, exercise_id: str, args: list[Any], seed: int, repeats: int) -> Profiled:
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
