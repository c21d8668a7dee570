"""Whether a call that ran out of time (or ended its process) was a memory blow-up, decided from
the sandbox cgroup's own counters rather than from how long filling memory took.

Zero-filling memory is slow on a busy machine: a blow-up that reaches its cap in 4 s on a quiet
machine is still filling when its 5 s are up on a loaded one. Its time limit then strikes first,
and a verdict read from the clock alone would say `timeout` on one run and `memory_limit` on
another. The cgroup's counters tell the two apart whatever the load: either the group hit its
cap (the kernel counts every refused charge and every process its out-of-memory killer ends), or
the group's peak grew by a large share of the learner's allowance while the call ran (file pages
read meanwhile, such as torch's own libraries, left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tensorlings.messages import zygote as zygote_messages

MIB = 1024**2
# A call that grew the group by this share of the allowance (`Limits.memory_bytes`, 512 MiB of
# the default 2 GiB) was filling memory. Honest work stays well below it: the largest seen is a
# 2000x2000 matrix power stopped by its time limit, which grows the group by ~250 MiB (the
# copied pages and torch's and BLAS's work buffers), and a share of 8 (256 MiB) took it for a
# blow-up on some runs. A crowded machine still zero-fills 512 MiB within a call's 5 s (about
# 100 MiB/s is enough; a quiet one fills ~450 MiB/s).
GROWTH_SHARE = 4
REACHED_CAP = (
    "the process reached the sandbox's memory cap (shared memory and files in /tmp count too)"
)


@dataclass(frozen=True)
class MemoryState:
    """One read of a child's cgroup: cap hits so far, bytes held now, most held since reset,
    and the file pages among what it holds now."""

    events: int = 0
    usage: int = 0
    peak: int = 0
    file: int = 0

    @classmethod
    def from_reply(cls, reply: Any) -> MemoryState:
        """The zygote's counters; anything missing or odd reads as zero (no sandbox)."""
        read = zygote_messages.counters(reply)
        return cls(read.events, read.usage, read.peak, read.file)


def blow_up(before: MemoryState, after: MemoryState, allowance: int) -> str | None:
    """Why the calls between `before` and `after` count as running out of memory; None when the
    counters show no blow-up (or there is no cgroup to read)."""
    if after.events > before.events:
        return REACHED_CAP
    # Page cache of files first read during the call (torch's own libraries, on a first use
    # of an operator in a fresh worker: hundreds of MiB) is charged to the group as well, but
    # is no memory the code asked for: a slow first matrix product is not a blow-up.
    grown = after.peak - before.usage - max(0, after.file - before.file)
    if allowance > 0 and grown >= allowance // GROWTH_SHARE:
        return (
            f"the call was still filling memory when it was stopped ({grown // MIB} MiB more "
            f"than before it ran, of an allowance of {allowance // MIB} MiB)"
        )
    return None
