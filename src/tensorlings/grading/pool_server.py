"""What the grading pool's server imports before it forks the pool's processes, and when a pool
process may fork its zygote from itself.

The server (multiprocessing's forkserver, one per run) prepares itself exactly as a zygote does:
torch, einops and the worker imported with no collection running, then frozen and warmed up
(worker/zygote.py, `prepare`), besides the few grading modules a pool process runs before its
first task. Each pool process, forked from it, then forks its zygote from itself before it
imports the checker or is handed a task: one torch import for the whole run, where the server
and each pool process's zygote each imported it (~1.5 s of CPU apiece, on the machine's cores
that the checks need).

A pool process forks only while it holds nothing beyond what the server imported: nothing of a
pack, a submission or the run's seed. Where it holds more (`grade()` called from a script whose
top-level code, run again in each pool process as its main module, imported other modules), its
zygote starts as a fresh interpreter, as every zygote outside grading does.
"""

from __future__ import annotations

import sys

from tensorlings.checker import sandbox
from tensorlings.worker import zygote

zygote.prepare()  # imported last by the server (runner.py), after all else it imports
sandbox.isolated_path(sys.executable)  # asked once here rather than in each pool process
_SERVER_MODULES = frozenset(sys.modules)
_MAIN = "__mp_main__"  # multiprocessing's name for the main module run again in a pool process


def may_fork_zygote() -> bool:
    """True while this process holds no module the server did not import, but for the main
    module and multiprocessing's own (which starting a pool process imports)."""
    extra = set(sys.modules) - _SERVER_MODULES - {_MAIN}
    return all(name.startswith("multiprocessing.") for name in extra)
