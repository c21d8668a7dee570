"""`tensorlings.check(fn)`: check a function right where it was written, in isolation.

In Jupyter, Colab or VS Code's interactive window, the function's cell, the helpers it calls and
the notebook's imports and constants go to the same isolated worker as `tensorlings check`
(tensorlings.notebook), so the verdict is the command line's and a function that hangs or
crashes costs at most its limit, never the kernel. The result renders as HTML in a notebook
front end and is printed as text elsewhere; its repr is short.
"""

from __future__ import annotations

import sys
from typing import Any

# Trusted code only; re-exported for the tests that import it from here (tests/packs).
from tensorlings.checker.in_process import InProcessRunner  # noqa: F401
from tensorlings.checker.sandbox import Limits


def _in_kernel() -> bool:
    """A front end that displays rich results (Jupyter, Colab, VS Code), not a terminal."""
    shell = _shell()
    if shell is None:
        return False
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
    except ImportError:
        return _colab(shell)
    return isinstance(shell, ZMQInteractiveShell) or _colab(shell)


def _colab(shell: Any) -> bool:
    return shell is not None and type(shell).__module__.startswith("google.colab")


def _shell() -> Any:
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def _namespace() -> dict[str, Any]:
    shell = _shell()
    if shell is not None:
        return dict(shell.user_ns)
    main = sys.modules.get("__main__")
    return dict(vars(main)) if main is not None else {}


def _refuse_outside_a_notebook(fn: Any) -> None:
    """A plain script has no cells to find a lambda's source in, and the command line checks
    the script's file directly: say so, instead of a notebook's error."""
    if _shell() is not None or fn is None or getattr(fn, "__name__", "") != "<lambda>":
        return
    from tensorlings.errors import TensorlingsError

    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) or "your_script.py"
    raise TensorlingsError(
        "tensorlings.check(lambda ...) works only in a notebook, where the lambda's cell is "
        f"found; this is a plain script. Define the exercise with def (def column_means(x): ...) "
        f"and run `tensorlings check {script}` in a terminal."
    )


def check(
    fn: Any = None,
    exercise_id: str | None = None,
    *,
    seed: int = 0,
    timeout: float = 5.0,
    memory_mb: float = 2048,
    pack: str | None = None,
) -> Any:
    """Check `fn` (or, with no argument, every exercise function defined here) in isolation;
    `pack`: an installed pack's name or a path, when the exercise is not the sheet's."""
    _refuse_outside_a_notebook(fn)
    from tensorlings import packs
    from tensorlings.notebook import runner

    limits = Limits(exercise_seconds=timeout, memory_bytes=int(memory_mb * 1024 * 1024))
    namespace = _namespace()
    chosen = packs.load(pack) if pack else None
    if fn is None:
        outcome: Any = runner.check_namespace(namespace, seed, limits, chosen)
    else:
        report = runner.check_one(fn, exercise_id, seed, limits, namespace, chosen)
        outcome = report.results[0] if report.results else report
    if not _in_kernel():
        print(str(outcome))  # a terminal or a script: the text report; the repr stays short
    return outcome
