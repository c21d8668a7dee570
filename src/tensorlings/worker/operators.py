"""Tell an operator from the function behind it: `x / y` from `torch.div(x, y)`.

torch hands its function mode the same function for both (`x + 1` and `x.add(1)` both arrive as
`Tensor.add`, `x += 1` as `Tensor.add_`), so the mode cannot tell them apart. The learner's frame
can: the instruction it is executing is a binary, comparison or unary operation for an operator,
and a call for a function. An operator is recorded under its symbol (rule_apis.OPERATORS).
"""

from __future__ import annotations

import dis
import functools
import sys
import types
from typing import Any

_CACHE = dis.opmap.get("CACHE", -1)
_BINARY_OP = dis.opmap.get("BINARY_OP", -1)
_COMPARE_OP = dis.opmap["COMPARE_OP"]
# Python 3.12 moved the comparison into the high bits of the argument, 3.13 further still.
_COMPARE_SHIFT = 5 if sys.version_info >= (3, 13) else 4 if sys.version_info >= (3, 12) else 0
_UNARY = {
    dis.opmap[name]: symbol
    for name, symbol in (("UNARY_NEGATIVE", "-"), ("UNARY_INVERT", "~"), ("UNARY_POSITIVE", "+"))
    if name in dis.opmap
}
# Python 3.10 spells each binary operator as an opcode of its own.
_OLD_BINARY = {
    dis.opmap[f"{kind}_{name}"]: symbol
    for name, symbol in (
        ("ADD", "+"), ("SUBTRACT", "-"), ("MULTIPLY", "*"), ("TRUE_DIVIDE", "/"),
        ("FLOOR_DIVIDE", "//"), ("MODULO", "%"), ("POWER", "**"), ("MATRIX_MULTIPLY", "@"),
        ("AND", "&"), ("OR", "|"), ("XOR", "^"), ("LSHIFT", "<<"), ("RSHIFT", ">>"),
    )
    for kind in ("BINARY", "INPLACE")
    if f"{kind}_{name}" in dis.opmap
}  # fmt: skip
# BINARY_OP's argument indexes this table; the in-place forms (`+=`) are the operator itself.
_NB_OPS = tuple(symbol.rstrip("=") or symbol for _, symbol in getattr(dis, "_nb_ops", ()))


@functools.lru_cache(maxsize=512)
def _bytecode(code: types.CodeType) -> bytes:
    return code.co_code  # a fresh copy on each read since 3.11: read once per code object


def operator_at(frame: Any) -> str | None:
    """The operator the frame is executing (`+`, `<`, `@`...), or None for anything else."""
    code = _bytecode(frame.f_code)
    at = frame.f_lasti
    while at > 0 and code[at] == _CACHE:  # 3.11+: the position may sit on an inline cache
        at -= 2
    if not 0 <= at < len(code) - 1:
        return None
    op, arg = code[at], code[at + 1]
    if op == _BINARY_OP:
        return _NB_OPS[arg] if arg < len(_NB_OPS) else None
    if op == _COMPARE_OP:
        index = arg >> _COMPARE_SHIFT
        return dis.cmp_op[index] if index < len(dis.cmp_op) else None
    return _UNARY.get(op) or _OLD_BINARY.get(op)
