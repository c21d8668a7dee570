"""What the report says about isolation, from what the zygote found (never from the child).

The zygote probes the sandbox once at its start (worker/jail.py) and sends the layers it could
build; every learner child it forks has those layers or does not run. The child's own word is
used only for the weak mode's reference-file cover, and is labelled as such.
"""

from __future__ import annotations

import os
from typing import Any

from tensorlings.errors import WorkerError
from tensorlings.messages.replies import LoadReply
from tensorlings.worker.jail import LAYERS  # one list of the layers, where they are built

ENV = "TENSORLINGS_SANDBOX"


def sandbox_wanted() -> bool:
    """Read by the checker's process only: TENSORLINGS_SANDBOX=off forces the weak mode."""
    value = os.environ.get(ENV, "on").strip().lower()
    if value in ("", "on", "1", "auto"):
        return True
    if value in ("off", "0"):
        return False
    raise WorkerError(
        f"{ENV}={value!r} is not understood: the sandbox setting is 'on' (the default) or "
        f"'off' (weak isolation, for tests). Unset {ENV} or set it to one of those."
    )


def zygote_arguments() -> list[str]:
    return [] if sandbox_wanted() else ["--sandbox=off"]


def _sandbox_fields(info: dict[str, Any]) -> dict[str, Any]:
    reported = info.get("sandbox")
    reported = reported if isinstance(reported, dict) else {}
    given = reported.get("layers")
    given = given if isinstance(given, dict) else {}
    layers = {layer: given.get(layer) is True for layer in LAYERS}
    missing = [str(m) for m in reported.get("missing", []) if isinstance(m, str)]
    for layer in LAYERS:
        if not layers[layer] and not any(m.startswith(f"{layer}:") for m in missing):
            missing.append(f"{layer}: the worker did not report this layer")
    return {"layers": layers, "full": all(layers.values()), "missing": missing}


def describe(info: dict[str, Any], loaded: LoadReply | None) -> dict[str, Any]:
    """The report's `isolation` object. `loaded` is the child's load reply (None when the file
    could not be loaded); it is only consulted where the sandbox's root is not in place."""
    sandbox = _sandbox_fields(info)
    isolation: dict[str, Any] = {
        "network": bool(info.get("network_isolated")) or sandbox["layers"]["network_namespace"],
        "why": None if sandbox["layers"]["network_namespace"] else info.get("why"),
    }
    if sandbox["layers"]["readonly_system"]:
        isolation["reference_files_hidden"] = True
    elif loaded is None:
        isolation["reference_files_hidden"] = False
        isolation["reference_files_why"] = "the file could not be loaded"
    else:
        hidden = loaded.reference_files_hidden
        isolation["reference_files_hidden"] = hidden
        if not hidden:
            isolation["reference_files_why"] = str(loaded.reference_files_why)
    return {**isolation, **sandbox}


def not_started(why: str) -> dict[str, Any]:
    """The `isolation` object of a report for which no worker ran at all."""
    return {
        "network": False,
        "why": why,
        "reference_files_hidden": False,
        "layers": {layer: False for layer in LAYERS},
        "full": False,
        "missing": [f"{layer}: {why}" for layer in LAYERS],
    }
