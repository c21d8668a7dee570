"""Objects that live as long as the process: made with no collection running, then frozen.

Importing torch makes about half a million objects that live until the process ends. Each
full collection while they are made, and each one after, walks all of them again (~80 ms on
these machines; in a forked child it also writes to every object's header, copy-on-write).
Used by a command's own process (cli_common) and by the zygote that children fork from.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def kept_for_good() -> Iterator[None]:
    """Collect nothing while the block runs, then freeze what it made. Only where torch is
    imported in the block: a process that has it already (a test session, a notebook) keeps
    its collector as it is, and nothing of it is frozen."""
    if "torch" in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
