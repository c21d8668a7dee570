"""Whether a grading run had the full sandbox, and refusing to grade without it.

The checker says what was active in each report's `isolation` object (`full`, `missing`) and
in its zygote's ready info. A report or zygote that does not say `full: true` (an older
checker, a missing layer) counts as weak. Grading with a weak sandbox needs
`--allow-weak-isolation` (or TENSORLINGS_ALLOW_WEAK_ISOLATION=1 in the environment), and every
report then says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from tensorlings.errors import WorkerError
from tensorlings.grading.errors import GradingError, WorkerUnavailable
from tensorlings.grading.model import Graded, Isolation

ENVIRONMENT_VARIABLE = "TENSORLINGS_ALLOW_WEAK_ISOLATION"


class WeakIsolation(GradingError):
    """The full sandbox is not available and weak isolation was not allowed."""

    def __init__(self, isolation: Mapping[str, Any]) -> None:
        missing = ", ".join(missing_layers(isolation)) or "the checker does not report one"
        super().__init__(
            f"refusing to grade without the full sandbox (missing: {missing}): learner code "
            "could then tamper with its own verdict. Run on Linux with user namespaces and "
            "cgroups (see docs/threat-model/sandbox.md), or pass --allow-weak-isolation to grade "
            "anyway; every report will then say the results were graded with weak isolation"
        )


def weak_allowed_by_environment() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def missing_layers(isolation: Mapping[str, Any]) -> list[str]:
    """The layers the checker says were off, from `missing` or else from `layers`."""
    missing = isolation.get("missing")
    if isinstance(missing, list):
        return [str(m)[:80] for m in missing[:20]]
    layers = isolation.get("layers")
    if isinstance(layers, dict):
        return [str(name)[:80] for name, on in layers.items() if not on][:20]
    return []


def is_full(isolation: Mapping[str, Any]) -> bool:
    return isolation.get("full") is True


def probe_isolation() -> None:
    """Ask a zygote which sandbox layers it builds (one that ends before importing torch);
    raise WeakIsolation unless all of them. The reports say it again, each checked as it
    arrives (the first weak one stops the run before it is saved)."""
    from tensorlings.checker import isolation
    from tensorlings.checker.sandbox import ZygoteHandle

    try:
        zygote = ZygoteHandle(sandbox_only=True)
    except WorkerError as error:
        raise WorkerUnavailable(f"could not start the isolated worker: {error}") from None
    try:
        info = zygote.ready()
    except WorkerError as error:
        raise WorkerUnavailable(f"could not start the isolated worker: {error}") from None
    finally:
        zygote.close()
    sandbox = isolation.describe(info, loaded=None)
    if not is_full(sandbox):
        raise WeakIsolation(sandbox)


def class_isolation(graded: Sequence[Graded], weak_allowed: bool) -> Isolation:
    """The run's isolation, from every report that was checked (a file never loaded says
    nothing about the sandbox)."""
    checked = [g.report.isolation for g in graded if g.report.error is None]
    weak = [i for i in checked if not is_full(i)]
    missing = sorted({layer for i in weak for layer in missing_layers(i)})
    return Isolation(full=not weak, weak_allowed=weak_allowed, missing=tuple(missing))
