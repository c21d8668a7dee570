"""Record which torch and einops calls the learner's own code makes while an exercise runs.

A TorchFunctionMode sees every torch function and Tensor method call; walking the stack to the
first frame outside torch tells who made it. Calls whose first outside frame is in the learner's
file count; calls made inside a library (einops reshaping for you) do not. einops' functions are
not torch functions, so they are wrapped.
"""

from __future__ import annotations

import functools
import os
import sys
import types
import weakref

# Bound at import, before any learner code: learner code may replace these in builtins
# (setattr(builtins, "getattr", ...)) while its call runs, to make the recorder misname a call.
from builtins import (  # noqa: UP029 (see above)
    any,
    bool,
    callable,
    classmethod,
    dict,
    enumerate,
    getattr,
    hasattr,
    id,
    int,
    isinstance,
    len,
    list,
    range,
    setattr,
    staticmethod,
    str,
    tuple,
    type,
    vars,
    zip,
)
from collections.abc import Callable
from typing import Any

import einops
import torch
from torch.overrides import TorchFunctionMode

from tensorlings import rule_apis
from tensorlings.worker import intervention, operators
from tensorlings.worker.audit import Tampering

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_STDLIB = os.path.dirname(os.__file__) + os.sep
_PACKAGES = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)
OWN, LIBRARY, IN_ASSERT = "own", "library", "assert"
# A call a library made for the learner's code is recorded under this prefix: it counts against
# forbidden calls, never for required ones or against "only these calls".
VIA_LIBRARY = "_via:"
# `_in:<exercise>:<name>`: a call made inside the function of another exercise of the pack (the
# learner's own earlier puzzle), counted also under its plain name. That exercise is judged on
# its own, so "only these calls" leaves it out of the caller's count.
IN_EXERCISE = "_in:"
# `_at:<name>#<line>` or `_at:<name>#<line>#<helper>`: where the learner's code first made the
# call, and through which of its helper functions, for the message (rules.py).
AT = "_at:"
_EINOPS_NAMES = ("rearrange", "reduce", "repeat", "einsum", "pack", "unpack")
_REVERSED = {"rmul": "mul", "radd": "add", "rsub": "sub", "rtruediv": "div", "truediv": "div"}
_MULTIPLY = {"mul", "mul_", "multiply", "imul"}
# Internal spellings of public calls (torch._C._nn, torch._sparse_softmax and friends), by the
# public name they are.
_ALIASES = rule_apis.ALIASES
# Bound before any learner code runs: replacing sys._getframe or popping torch's mode stack
# through its public module attributes cannot blind the recorder.
_getframe = sys._getframe
_stack_len = torch._C._len_torch_function_stack
_stack_at = torch._C._get_function_stack_at
# Bound at import: learner code may rebind these module attributes while its call runs.
_Tensor = torch.Tensor
_weak_ref = weakref.ref
_CodeType = types.CodeType
_FunctionType = types.FunctionType
_PUBLIC = (torch, torch.Tensor, torch.nn.functional, torch.special, torch.linalg, torch.sparse)


@functools.cache
def _public_name(name: str) -> str:
    """`_softmax` is `softmax`: a private spelling of a public torch function is that function."""
    if name in _ALIASES:
        return _ALIASES[name]
    stripped = name.lstrip("_")
    private = stripped != name and not name.startswith("__") and stripped
    if private and stripped in _ALIASES:
        return _ALIASES[stripped]
    if private and any(hasattr(space, stripped) for space in _PUBLIC):
        return stripped
    return name


def canonical_name(func: Any) -> str:
    """One name for every spelling: torch.softmax, x.softmax and F.softmax are all `softmax`;
    torch._softmax and torch._C._nn.cross_entropy_loss are their public names."""
    name = getattr(func, "__name__", "") or ""
    if type(name) is not str or not name.isidentifier():
        return ""  # a name made up to look like the checker's own events (`changed:abs`)
    if name == "__get__":  # a property such as x.shape
        name = getattr(getattr(func, "__self__", None), "__name__", name)
    name = name.removeprefix("special_")
    if name.startswith("__") and name.endswith("__") and name not in ("__getitem__", "__setitem__"):
        name = name.strip("_")
    return _public_name(_REVERSED.get(name, name))


def _is_int_tensor(value: Any) -> bool:
    return (
        isinstance(value, _Tensor)
        and not value.dtype.is_floating_point
        and value.dtype != torch.bool
        and not value.dtype.is_complex
    )


def _index_parts(index: Any) -> tuple[Any, ...]:
    return index if isinstance(index, tuple) else (index,)


def events_for(name: str, args: tuple[Any, ...], operator: str | None = None) -> list[str]:
    """The rule-relevant events one call stands for, its own name first: the operator's symbol
    when the learner wrote an operator (`x * m` is `*`, `x.mul(m)` is `mul`)."""
    events = [operator or name]
    if name == "__getitem__" and len(args) > 1:
        if any(_is_int_tensor(part) for part in _index_parts(args[1])):
            events.append("int_tensor_index")
    elif name == "__setitem__":
        events.append("setitem")
    elif name in _MULTIPLY and any(isinstance(a, _Tensor) and a.dtype == torch.bool for a in args):
        events.append("bool_mask_multiply")
    return events


Span = tuple[int, int, int, int]  # first line, first column, last line, end column


class CallRecorder:
    """Collects the learner's calls; `attribute` decides whether a call is the learner's."""

    def __init__(self, learner_file: str) -> None:
        self.learner_file = learner_file
        # The learner's own asserts: a call made only to check an answer
        # (`assert (out == t.eye(n)).all()`) is not the code that computes it. Only the
        # assert itself is exempt, not the rest of its line.
        self.assert_spans: dict[int, tuple[Span, ...]] = {}
        self.calls: dict[str, int] = {}
        self.active = False
        self.required: tuple[tuple[str, ...], ...] = ()  # names of each required call
        self.tainted: list[Marks] = []
        self.refused: list[str] = []  # tampering seen by the mode, taken with take_refused
        # Results of calls made in the learner's asserts, by the call's event names.
        self.asserted: dict[str, Marks] = {}
        self.in_asserts: dict[str, int] = {}  # those calls, counted only if they escape
        # While a call is run again to see whether a required call changes its result
        # (intervention.py): the names whose results are changed, and how many were.
        self.perturb: tuple[str, ...] = ()
        self.perturbed = 0
        # Results of forbidden-looking calls made while the file loaded (`_TABLE = t.eye(64)`),
        # by name: they count for an exercise whose returned value they reach.
        self.loaded: dict[str, Marks] = {}
        # The code of each exercise's function in the learner's file, and of the one judged now:
        # a call made inside another exercise's function belongs to that exercise.
        self.exercise_codes: dict[types.CodeType, str] = {}
        self.judged_code: types.CodeType | None = None
        self.located: set[str] = set()  # names whose first place is recorded (AT)
        self.frame: Any = None  # the learner's frame that made the call being handled

    def refuse(self, what: str) -> None:
        if what not in self.refused:
            self.refused.append(what)
        raise Tampering(f"not allowed while your work is checked: the code {what}")

    def take_refused(self) -> list[str]:
        refused, self.refused = self.refused, []
        return refused

    def learner_made_call(self) -> bool:
        return self.made_by() == OWN

    def made_by(self) -> str | None:
        """Who made the torch call being handled: OWN when the first frame outside torch,
        this worker and the standard library (which acts for its caller: functools,
        contextlib) is the learner's file; LIBRARY when a library made it for learner code
        further out (einops reducing with a function it was handed); else None."""
        frame = _getframe(2)
        self.frame = None
        while frame is not None and _acts_for_caller(frame.f_code.co_filename):
            frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            # Only the checker's own frames, which called the exercise: the name is bound to
            # torch.relu, a functools.partial of torch.softmax, a builtin: the learner's call.
            return OWN if self.active else None
        if frame.f_code.co_filename == self.learner_file:
            self.frame = frame
            return IN_ASSERT if self._in_assert(frame) else OWN
        while frame is not None:
            if frame.f_code.co_filename == self.learner_file:
                return IN_ASSERT if self._in_assert(frame) else LIBRARY
            frame = frame.f_back  # type: ignore[assignment]
        # A library bound directly to the exercise's name (partial(einops.reduce, ...)).
        return LIBRARY if self.active else None

    def _in_assert(self, frame: Any) -> bool:
        spans = self.assert_spans.get(frame.f_lineno)
        if not spans:
            return False
        where = _position(frame)
        if where is None:  # no column information (Python 3.10): the whole line is exempt
            return True
        line, column, end_line, end_column = where
        return any(
            (first, start) <= (line, column) and (end_line, end_column) <= (last, end)
            for first, start, last, end in spans
        )

    def note(self, events: list[str]) -> None:
        for event in events:
            self.calls[event] = self.calls.get(event, 0) + 1

    def note_own(self, events: list[str]) -> None:
        """The learner's call, with the exercise whose function made it and where."""
        self.note(events)
        owner, helper, line = self.attribute(self.frame)
        if owner is not None:
            self.note([f"{IN_EXERCISE}{owner}:{event}" for event in events])
            return
        for event in events:
            if event not in self.located and line:
                self.located.add(event)
                where = f"{AT}{event}#{line}" + (f"#{helper}" if helper else "")
                self.calls[where] = 1

    def attribute(self, frame: Any) -> tuple[str | None, str, int]:
        """(the other exercise whose function made the call or None, the helper function it
        was made in or "", its line). Walks out from the learner's frame to the judged one."""
        if frame is None:
            return None, "", 0
        code, line = frame.f_code, frame.f_lineno or 0
        helper = code.co_name if code is not self.judged_code else ""
        for _ in range(64):
            if frame is None or frame.f_code is self.judged_code or self.judged_code is None:
                break
            owner = self.exercise_codes.get(frame.f_code)
            if owner is not None:
                return owner, "", line
            frame = frame.f_back
        if not (isinstance(helper, str) and helper.isidentifier()):
            helper = ""  # a lambda or a comprehension: the line says enough
        return None, helper, line

    def start(self, required: tuple[tuple[str, ...], ...]) -> None:
        self.required = required
        self.tainted = [Marks() for _ in required]
        self.asserted = {event: marks.copy() for event, marks in self.loaded.items()}
        self.in_asserts = {}

    def exempt(self, events: list[str], args: tuple[Any, ...], out: Any) -> None:
        """A call made inside the learner's own assert is not held against the code, unless
        its result escapes the assert (a walrus, a list it was appended to, a lambda defined
        there and called later, an in-place copy) and reaches the returned value: so its
        result, and whatever is computed from it, is marked under its name."""
        if any(out is a for a in args):
            return  # x.contiguous() handing back x itself made nothing new
        for event in events:
            self.in_asserts[event] = self.in_asserts.get(event, 0) + 1
            marks = self.asserted.setdefault(event, Marks())
            mark(out, marks)
            if args and isinstance(args[0], _Tensor) and _in_place(events[0]):
                marks.add(args[0])

    def carry_assert_marks(self, name: str, args: tuple[Any, ...], out: Any) -> None:
        for marks in self.asserted.values():
            if touches(args, marks):
                mark(out, marks)
                if args and isinstance(args[0], _Tensor) and _in_place(name):
                    marks.add(args[0])

    def settle(self, out: Any) -> None:
        """Calls made in asserts whose own results reached `out` count after all."""
        for event, marks in self.asserted.items():
            if touches((out,), marks):
                self.calls[event] = self.calls.get(event, 0) + self.in_asserts.get(event, 1)
        self.asserted, self.in_asserts = {}, {}

    def propagate(self, name: str, events: list[str], args: tuple[Any, ...], out: Any) -> None:
        """Mark results that come from a required call the learner made (`events`, empty for
        a library's own calls), or from a value already marked: at the end, a required call
        counts only if its mark reached the returned value."""
        for names, marked in zip(self.required, self.tainted, strict=True):
            if any(e in names for e in events) or touches(args, marked):
                mark(out, marked)
                if args and isinstance(args[0], _Tensor) and _in_place(name):
                    marked.add(args[0])

    def intervene(self, name: str, args: tuple[Any, ...], out: Any) -> Any:
        """Change the result of one of the learner's required calls (or, for an in-place
        call, the tensor it wrote to); the changed value is what the learner's code gets."""
        if _in_place(name) and args and isinstance(args[0], _Tensor):
            self.perturbed += intervention.perturb_in_place(args[0])
            return out
        changed, ok = intervention.perturbed(out)
        self.perturbed += ok
        return changed

    def contributed(self, out: Any) -> list[int]:
        """Which required calls' results reached `out`."""
        return [i for i, marked in enumerate(self.tainted) if touches((out,), marked)]

    def take(self) -> dict[str, int]:
        calls, self.calls = self.calls, {}
        self.located = set()
        return calls


def own_code(value: Any, filename: str) -> types.CodeType | None:
    """The code of a function the learner wrote in `filename` (under one functools.wraps
    decorator at most), read by exact type so that nothing of the learner's runs."""
    for _ in range(2):
        if type(value) is not _FunctionType:
            return None
        code = value.__code__
        if code.co_filename == filename:
            return code
        value = vars(value).get("__wrapped__")
    return None


def exercise_codes(functions: dict[str, Any], filename: str) -> dict[types.CodeType, str]:
    """Each exercise's function's code, for telling whose function made a call."""
    codes: dict[types.CodeType, str] = {}
    for name, value in functions.items():
        code = own_code(value, filename)
        if code is not None:
            codes.setdefault(code, name)
    return codes


def _acts_for_caller(filename: str) -> bool:
    """torch itself, this worker, and the standard library (not the packages installed in it)
    make calls for whoever called them."""
    if filename.startswith((_TORCH_DIR, _HERE)):
        return True
    return filename.startswith(_STDLIB) and not any(p in filename for p in _PACKAGES)


class Marks:
    """Tensors by identity (a WeakSet compares tensors with ==, which is elementwise)."""

    def __init__(self) -> None:
        self.refs: dict[int, weakref.ref[torch.Tensor]] = {}

    def add(self, tensor: torch.Tensor) -> None:
        if len(self.refs) > 100_000:  # a long loop of tiny ops: forget the dead ones
            self.refs = {k: r for k, r in self.refs.items() if r() is not None}
        self.refs[id(tensor)] = _weak_ref(tensor)

    def copy(self) -> Marks:
        copied = Marks()
        copied.refs = dict(self.refs)
        return copied

    def __contains__(self, tensor: torch.Tensor) -> bool:
        ref = self.refs.get(id(tensor))
        return ref is not None and ref() is tensor


def touches(values: Any, marked: Marks, depth: int = 0) -> bool:
    for value in values:
        if isinstance(value, _Tensor):
            if value in marked:
                return True
        elif (
            depth < 2 and isinstance(value, list | tuple) and touches(value[:64], marked, depth + 1)
        ):
            return True
    return False


def mark(value: Any, marked: Marks, depth: int = 0) -> None:
    if isinstance(value, _Tensor):
        marked.add(value)
    elif depth < 2 and isinstance(value, list | tuple):
        for item in value[:64]:
            mark(item, marked, depth + 1)


def _in_place(name: str) -> bool:
    """The call changed its first argument: x.add_(...), x[...] = ..., x += ..."""
    return name in ("__setitem__", "iadd", "isub", "imul", "itruediv") or (
        name.endswith("_") and not name.startswith("_")
    )


@functools.lru_cache(maxsize=1024)
def _positions(code: types.CodeType) -> tuple[Any, ...]:
    return tuple(code.co_positions())


def _position(frame: Any) -> tuple[int, int, int, int] | None:
    if not hasattr(frame.f_code, "co_positions"):
        return None
    positions = _positions(frame.f_code)
    index = frame.f_lasti // 2
    if not 0 <= index < len(positions) or None in positions[index]:
        return None
    line, end_line, column, end_column = positions[index]
    return line, column, end_line, end_column


def assert_spans(units: list[dict[str, Any]]) -> dict[int, tuple[Span, ...]]:
    """Each assert statement's span in the learner's cells, listed under every line it covers."""
    import ast

    spans: dict[int, list[Span]] = {}
    for unit in units:
        try:
            tree = ast.parse(unit["code"])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                shift = unit["line"] - 1
                end = node.end_lineno or node.lineno
                span = (node.lineno + shift, node.col_offset, end + shift, node.end_col_offset or 0)
                for line in range(span[0], span[2] + 1):
                    spans.setdefault(line, []).append(span)
    return {line: tuple(found) for line, found in spans.items()}


class _RecordingMode(TorchFunctionMode):
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
        recorder = self.recorder
        if _hides_calls(args) or (kwargs and _hides_calls(tuple(kwargs.values()))):
            recorder.refuse(HIDING_HANDLER)
        events: list[str] = []
        name = canonical_name(func) if recorder.required else ""
        made_by = recorder.made_by()
        if made_by == OWN:
            operator = operators.operator_at(recorder.frame) if recorder.frame else None
            events = events_for(name or canonical_name(func), args, operator)
            recorder.note_own(events)
        elif made_by == LIBRARY:
            recorder.note([VIA_LIBRARY + (name or canonical_name(func))])
        out = func(*args, **(kwargs or {}))
        if recorder.perturb and any(event in recorder.perturb for event in events):
            out = recorder.intervene(name or canonical_name(func), args, out)
        if recorder.asserted:
            every = (*args, *(kwargs or {}).values())
            recorder.carry_assert_marks(name or canonical_name(func), every, out)
        if made_by == IN_ASSERT:
            operator = operators.operator_at(recorder.frame) if recorder.frame else None
            recorder.exempt(events_for(name or canonical_name(func), args, operator), args, out)
        if recorder.required:
            recorder.propagate(name, events, args, out)
        return out

    def intact(self) -> bool:
        """Still on top of torch's function-mode stack: nothing popped or buried it."""
        depth = _stack_len()
        return depth > 0 and _stack_at(depth - 1) is self


HIDING_HANDLER = (
    "uses a Tensor subclass with its own __torch_function__ or __torch_dispatch__ (torch runs "
    "that handler where the recorder cannot see its calls)"
)


def hides_calls(value: Any) -> bool:
    """A returned value with a handler of its own (it was never judged by the mode)."""
    return _hides_calls((value,))


def dispatches_itself(value: Any) -> bool:
    """A returned tensor whose own __torch_dispatch__ would run, unrecorded, while the value is
    sent back (sending sets __torch_function__ handlers aside, not dispatch ones)."""
    return isinstance(value, _Tensor) and _foreign_handler(type(value), ("__torch_dispatch__",))


def _hides_calls(values: tuple[Any, ...] | list[Any], depth: int = 0) -> bool:
    """A tensor among `values` (or in a list of them) whose class brings its own handler:
    torch calls it with the function-mode stack set aside, so its calls go unrecorded."""
    for value in values:
        kind = type(value)
        if kind is _Tensor:
            continue
        if isinstance(value, _Tensor):
            if _foreign_handler(kind):
                return True
        elif depth == 0 and kind in (list, tuple) and _hides_calls(value, 1):
            return True
    return False


def _foreign_handler(
    kind: type, names: tuple[str, ...] = ("__torch_function__", "__torch_dispatch__")
) -> bool:
    """A handler not written inside torch (torch's own subclasses, Parameter and Buffer, use
    torch's defaults)."""
    for name in names:
        for klass in kind.__mro__:
            if name in vars(klass):
                handler = vars(klass)[name]
                break
        else:
            continue
        if type(handler) in (classmethod, staticmethod):
            handler = handler.__func__
        if any(handler is default for default in _TORCH_DEFAULTS):
            continue
        code = getattr(handler, "__code__", None)
        if not isinstance(code, _CodeType) or not code.co_filename.startswith(_TORCH_DIR):
            return True
    return False


_TORCH_DEFAULTS = (torch._C._disabled_torch_function_impl, torch._C._disabled_torch_dispatch_impl)


def recording(recorder: CallRecorder) -> _RecordingMode:
    return _RecordingMode(recorder)


def wrap_einops(recorder: CallRecorder) -> None:
    """Replace einops' functions with recording wrappers (before the learner imports them)."""
    for name in _EINOPS_NAMES:
        original = getattr(einops, name, None)
        if original is None:
            continue

        def make(original: Callable[..., Any], name: str) -> Callable[..., Any]:
            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                events: list[str] = []
                if recorder.active and recorder.learner_made_call():
                    # A function handed to einops (reduce(x, "b n -> b", torch.logsumexp)) is
                    # called from einops' frames: it counts as the learner's call too.
                    handed = [a for a in (*args, *kwargs.values()) if callable(a)]
                    events = [name, *(canonical_name(f) for f in handed)]
                    # reduce(x, "b n -> b", "max") computes a max: named as the learner's.
                    if name == "reduce":
                        how = args[2] if len(args) > 2 else kwargs.get("reduction")
                        events += [how] if isinstance(how, str) and how.isidentifier() else []
                    recorder.note_own(events)
                out = original(*args, **kwargs)
                if recorder.perturb and name in recorder.perturb and events:
                    out = recorder.intervene(name, args, out)
                if recorder.active and recorder.required:
                    recorder.propagate(name, events, args, out)
                return out

            return wrapper

        setattr(einops, name, make(original, name))
