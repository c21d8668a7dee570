"""Marks on what the file's top level computes with a forbidden call.

`_TABLE = torch.eye(64)` at the top of the file, then `return _TABLE[:n, :n]`: the call ran while
the file loaded, not while the exercise ran. Its results (and what is computed from them at load)
are marked by name; each exercise's run starts with those marks (CallRecorder.start), and a name
whose mark reaches the returned value counts as the exercise's call (CallRecorder.settle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch.overrides import TorchFunctionMode

from tensorlings import rule_apis
from tensorlings.worker.recorder import (
    OWN,
    CallRecorder,
    Marks,
    canonical_name,
    events_for,
    mark,
    touches,
)

# Calls whose results are remembered while the file loads: every name a rule concept lists.
_LOAD_NAMES = frozenset(name for names in rule_apis.COMPUTES.values() for name in names)


class _LoadingMode(TorchFunctionMode):
    """While the file's top level runs: mark what the learner's own calls of `_LOAD_NAMES`
    return, and whatever is computed from it, by name (CallRecorder.loaded)."""

    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        out = func(*args, **(kwargs or {}))
        recorder, name = self.recorder, canonical_name(func)
        every = (*args, *(kwargs or {}).values())
        for marks in recorder.loaded.values():
            if touches(every, marks):
                mark(out, marks)
        if recorder.made_by() == OWN:
            for event in events_for(name, args):
                if event in _LOAD_NAMES:
                    mark(out, recorder.loaded.setdefault(event, Marks()))
        return out


def loading(recorder: CallRecorder) -> _LoadingMode:
    return _LoadingMode(recorder)
