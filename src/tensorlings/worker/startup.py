"""What a Python process's start settled for good, and a process forked from it keeps: the
interpreter's flags, warning and -X options, encodings, where torch is imported from, and what
the environment set that nothing else shows.

A zygote forked from grading's pool (grading/pool_server.py) must have been started as a fresh
zygote is, `python -I` in the checker's environment: the grader's PYTHONWARNINGS=error would
turn a warning in learner code into an exception, and its PYTHONOPTIMIZE strip the learner's
asserts, under `grade` only. `python -I -m tensorlings.worker.startup` prints what a fresh one
has (and its sys.path) for the pool's server to compare with its own.
"""

from __future__ import annotations

import json
import locale
import os
import sys
from importlib.util import find_spec
from typing import Any

# Left out, as they differ by design and the fork undoes them: isolated, ignore_environment,
# no_user_site and safe_path (sys.path is set to what `python -I` has), dont_write_bytecode.
_FLAGS = (
    "debug",
    "inspect",
    "interactive",
    "optimize",
    "no_site",
    "verbose",
    "bytes_warning",
    "quiet",
    "hash_randomization",
    "dev_mode",
    "warn_default_encoding",
    "int_max_str_digits",
)
# Read when the interpreter starts and shown nowhere afterwards (a fixed hash seed, a debug
# allocator); `python -I` ignores both.
_UNSEEN = ("PYTHONHASHSEED", "PYTHONMALLOC")


def settings() -> dict[str, Any]:
    """This process's start-up settings that learner code forked from it would run under."""
    torch = find_spec("torch")
    return {
        "flags": [getattr(sys.flags, name, None) for name in _FLAGS],
        "warnoptions": list(sys.warnoptions),
        "xoptions": {str(k): str(v) for k, v in sys._xoptions.items()},
        "encodings": [sys.getfilesystemencoding(), locale.getpreferredencoding(False)],
        # Imported at start only when enabled there (-X, PYTHONFAULTHANDLER...): not imported here.
        "faulthandler": bool(getattr(sys.modules.get("faulthandler"), "is_enabled", bool)()),
        "tracemalloc": bool(getattr(sys.modules.get("tracemalloc"), "is_tracing", bool)()),
        "torch": torch.origin if torch is not None else None,
        "unseen": [] if sys.flags.ignore_environment else [v for v in _UNSEEN if os.getenv(v)],
    }


if __name__ == "__main__":
    print(json.dumps({"path": sys.path, "settings": settings()}))
