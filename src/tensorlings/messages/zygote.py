"""What the checker asks the zygote (spawn, kill, wait, dismiss, ping, quit) and its answers.

The zygote never runs learner code, but learner code can signal it (stop or kill it), so an
answer may be missing or cut short: each parser reads what is there and falls back to "not
known" (zeros, None, False) rather than trusting a shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tensorlings.messages import ProtocolError
from tensorlings.messages.requests import Op

# On the zygote's command line, from a checker that will fork many children from it (watch,
# grade, a notebook): moving its memory into huge pages costs 50-400 ms once and saves ~0.2 s
# of CPU per check (worker/heap.py).
HUGE_PAGES = "--huge-pages"
# On the command line of a zygote that is only asked which sandbox layers it can build (the
# grader's check before a run): it answers as every zygote does, then ends without importing
# torch (~1.5 s of CPU a real zygote spends before its answer).
SANDBOX_ONLY = "--sandbox-only"


@dataclass(frozen=True)
class Spawn:
    """Fork a child with these limits; a trusted one never loads learner code."""

    limits: dict[str, Any]
    trusted: bool
    hide: tuple[str, ...]  # files and folders covered in the child
    block: tuple[str, ...]  # modules refused to learner code

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": Op.SPAWN,
            "limits": self.limits,
            "trusted": self.trusted,
            "hide": list(self.hide),
            "block": list(self.block),
        }


def kill(pid: int) -> dict[str, Any]:
    return {"op": Op.KILL, "pid": pid}


def wait(pid: int, seconds: float) -> dict[str, Any]:
    return {"op": Op.WAIT, "pid": pid, "seconds": seconds}


def dismiss(pid: int) -> dict[str, Any]:
    return {"op": Op.DISMISS, "pid": pid}


def ping(pid: int | None, reset_peak: bool | None = None) -> dict[str, Any]:
    """Whether the zygote answers and child `pid` runs; with `reset_peak`, its memory too."""
    if reset_peak is None:
        return {"op": Op.PING, "pid": pid}
    return {"op": Op.PING, "pid": pid, "reset_peak": reset_peak}


# Bound at import: a learner process reads kept recipes by this key after its code has run.
_dumps = json.dumps


def recipe_key(record: Any) -> str:
    """One text per recipe (worker/encoding.py), whatever the order of its fields."""
    return _dumps(record, sort_keys=True)


def keep(recipes: list[dict[str, Any]]) -> dict[str, Any]:
    """Recipes (worker/encoding.py) for the zygote to make now, once: nothing is answered."""
    return {"op": Op.KEEP, "recipes": recipes}


QUIT: dict[str, Any] = {"op": Op.QUIT}


@dataclass(frozen=True)
class Counters:
    """A child's cgroup counters: cap hits so far, bytes held now, most held since reset, and
    the file pages among what it holds now (zeros where there is no sandbox)."""

    events: int = 0
    usage: int = 0
    peak: int = 0
    file: int = 0


def counters(reply: Any) -> Counters:
    """The counters in a `ping` or `wait` answer; anything missing or odd reads as zero."""
    if not isinstance(reply, dict):
        return Counters()
    keys = ("memory_events", "memory_usage", "memory_peak", "memory_file")
    values = [reply.get(k) for k in keys]
    return Counters(*(v if type(v) is int and v >= 0 else 0 for v in values))


@dataclass(frozen=True)
class Pong:
    answered: bool  # the zygote answered the ping
    alive: bool  # the child named is still running
    counters: Counters


def pong(reply: Any) -> Pong:
    if not isinstance(reply, dict):
        return Pong(False, False, Counters())
    return Pong(bool(reply.get("pong")), bool(reply.get("alive")), counters(reply))


@dataclass(frozen=True)
class Waited:
    """How a killed child ended (None: not known), and whether it hit its memory cap."""

    status: int | None
    memory_limit: bool
    counters: Counters


def waited(reply: Any) -> Waited:
    if not isinstance(reply, dict):
        return Waited(None, False, Counters())
    status = reply.get("status")
    return Waited(
        status if isinstance(status, int) else None,
        reply.get("memory_limit") is True,
        counters(reply),
    )


def dismissed(reply: Any) -> int | None:
    """The pid the zygote says it dismissed."""
    pid = reply.get("dismissed") if isinstance(reply, dict) else None
    return pid if type(pid) is int else None


@dataclass(frozen=True)
class Spawned:
    pid: int
    workdir: str


def spawned(reply: Any) -> Spawned:
    pid = reply.get("pid") if isinstance(reply, dict) else None
    if type(pid) is not int or pid <= 0:
        raise ProtocolError("the worker's spawn answer names no process")
    return Spawned(pid, str(reply.get("workdir", "")))
