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
top-level code, run again in each pool process as its main module, imported other modules, or
bound data of its own: a key, a seed, a path), its zygote starts as a fresh interpreter, as every
zygote outside grading does. So does every zygote of a server whose interpreter did not start
as a fresh zygote's does (worker/startup.py): the grader's PYTHONWARNINGS or -O would otherwise
reach learner code under `grade` alone.
"""

from __future__ import annotations

import sys
import types

from tensorlings.checker import sandbox
from tensorlings.worker import startup, zygote

zygote.prepare()  # imported last by the server (runner.py), after all else it imports
# Asked once here rather than in each pool process: sys.path and settings of `python -I`.
_STARTED_AS_A_ZYGOTE = sandbox.isolated_start(sys.executable).get("settings") == startup.settings()
_SERVER_MODULES = frozenset(sys.modules)
_MAIN = "__mp_main__"  # multiprocessing's name for the main module run again in a pool process
_PLAIN = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)


def may_fork_zygote() -> bool:
    """True while this process holds no module the server did not import, but for the main
    module and multiprocessing's own (which starting a pool process imports), and the main
    module binds nothing but those modules and what they define."""
    extra = set(sys.modules) - _SERVER_MODULES - {_MAIN}
    if not all(name.startswith("multiprocessing.") for name in extra):
        return False
    return _STARTED_AS_A_ZYGOTE and _main_holds_nothing_of_its_own()


def _main_holds_nothing_of_its_own() -> bool:
    """The console script binds `main` from tensorlings.cli; a script calling grade() may bind
    a seed or a key at its top level, which learner code would find in sys.modules."""
    main = sys.modules.get(_MAIN)
    for name, value in vars(main).items() if main is not None else ():
        if name.startswith("__") and name != "__doc__":
            continue  # the module's own: its name, file, loader, builtins
        if value is None or isinstance(value, types.ModuleType):
            continue  # imported modules: held against forking above when not the server's
        if type(value).__module__ == "__future__":
            continue  # `from __future__ import annotations`
        if not isinstance(value, _PLAIN) or value.__module__ in (_MAIN, "__main__"):
            return False  # its own functions hold their constants
        if value.__module__ not in _SERVER_MODULES:
            return False
    return True
