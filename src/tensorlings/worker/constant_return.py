"""Functions that take nothing and only return a literal: their answer is known without a call.

A third of the sheet's exercises are answered this way: a size and a stride
(`return (4,), (1,)`), or the letter of a multiple-choice question (`return "b"`). Running such
a function in an exercise process of its own costs a fork, the process's start and its exit
(~10 ms of CPU each) to learn what its bytecode already says. The file's process, which
holds the loaded functions, reads the bytecode of each exercise's function as it is bound when
the load ends (what an exercise process would run) and reports the constant of those whose whole
body is "return this constant". The checker then answers a call of such a function with no
arguments from that report (checker/session.py).

Nothing is lost by not calling it: a body that is one constant and a return runs no code of the
learner's, reads no argument and no global, prints nothing and can raise nothing. Only values
made of the plain literal types qualify, so the encoded answer is the one a call would send.
The report comes from a process that ran the learner's top-level code and is checked like every
other value from it (messages/replies.py): a forged report could only claim a literal answer,
which the learner could as well have written in the function.
"""

from __future__ import annotations

import dis
import inspect
import types
from typing import Any

# Instructions that do nothing a learner could observe: the frame's start, padding.
_NO_OPS = frozenset({"RESUME", "NOP", "CACHE"})
_LITERALS = (int, float, bool, str, type(None))
_MAX_ITEMS = 1_000  # a literal larger than this is left to the exercise's process
_MAX_DEPTH = 8
_CALL_SHAPES = (
    inspect.CO_VARARGS
    | inspect.CO_VARKEYWORDS
    | inspect.CO_GENERATOR
    | inspect.CO_COROUTINE
    | inspect.CO_ASYNC_GENERATOR
    | inspect.CO_ITERABLE_COROUTINE
)


def returned_constant(fn: Any) -> tuple[bool, Any]:
    """(True, the value) when `fn` is a plain function of no parameters whose body only returns
    a literal (a docstring aside); (False, None) for anything else, which is then called."""
    if type(fn) is not types.FunctionType:
        return False, None  # a class, a partial, a builtin, a callable object: called as usual
    code = fn.__code__  # an exact function: the attribute is the C slot, not learner code
    if type(code) is not types.CodeType or code.co_flags & _CALL_SHAPES:
        return False, None
    if code.co_argcount or code.co_posonlyargcount or code.co_kwonlyargcount:
        return False, None
    try:
        steps = [i for i in dis.get_instructions(code) if i.opname not in _NO_OPS]
    except Exception:  # a code object the disassembler cannot read: called as usual
        return False, None
    # Python 3.12+ returns a constant in one instruction; 3.10 and 3.11 load it first.
    if [i.opname for i in steps] not in (["RETURN_CONST"], ["LOAD_CONST", "RETURN_VALUE"]):
        return False, None
    value = steps[0].argval
    if not _plain_literal(value, 0, [0]):
        return False, None
    return True, value


def _plain_literal(value: Any, depth: int, count: list[int]) -> bool:
    """Made only of exact ints, floats, bools, strings, None and tuples of them, not too big."""
    count[0] += 1
    if count[0] > _MAX_ITEMS or depth > _MAX_DEPTH:
        return False
    kind = type(value)
    if kind is int:
        return abs(value) < 10**100  # a longer one is sent as "an int of more than 100 digits"
    if kind in _LITERALS:
        return not (kind is str and len(value) > 10_000)
    if kind is tuple:
        return all(_plain_literal(item, depth + 1, count) for item in value)
    return False  # frozensets, bytes, code objects and anything put in co_consts by hand
