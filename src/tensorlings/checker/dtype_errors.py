"""Explain torch's dtype mismatches ("expected m1 and m2 to have the same dtype, but got: float !=
long int") in the learner's terms: which dtypes met, and what to try within the exercise's rules.

>>> mismatch("expected m1 and m2 to have the same dtype, but got: float != long int")
('torch.float32', 'torch.int64')
>>> mismatch("size mismatch") is None
True
"""

from __future__ import annotations

import re

from tensorlings.exercise import Rules

# torch spells a dtype several ways in its messages: C++ names, scalar types, Python names.
_SPELLINGS = {
    "long int": "torch.int64", "long": "torch.int64", "int64": "torch.int64",
    "int": "torch.int32", "int32": "torch.int32", "short": "torch.int16",
    "float": "torch.float32", "float32": "torch.float32", "double": "torch.float64",
    "float64": "torch.float64", "half": "torch.float16", "c10::half": "torch.float16",
    "bfloat16": "torch.bfloat16", "c10::bfloat16": "torch.bfloat16", "bool": "torch.bool",
    "unsigned char": "torch.uint8", "byte": "torch.uint8", "char": "torch.int8",
    "signed char": "torch.int8",
}  # fmt: skip
_DTYPE = (
    r"(?:torch\.)?("
    + "|".join(re.escape(s) for s in sorted(_SPELLINGS, key=len, reverse=True))
    + r")\b"
)
# The shapes of torch's dtype mismatch messages, each with the two dtypes it names.
_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"same dtype, but got:? {_DTYPE} (?:!=|and) {_DTYPE}",
        rf"expected scalar type {_DTYPE} but found {_DTYPE}",
        rf"must have the same dtype, but got {_DTYPE} and {_DTYPE}",
        rf"same dtype, but found {_DTYPE} and {_DTYPE}",
        rf"got {_DTYPE} for the destination and {_DTYPE} for the source",
        rf"result type {_DTYPE} can't be cast to the desired output type {_DTYPE}",
    )
)


def mismatch(message: str) -> tuple[str, str] | None:
    """The two dtypes a torch error says did not agree, or None for any other error."""
    for pattern in _PATTERNS:
        found = pattern.search(message)
        if found:
            first, second = (_SPELLINGS[g.lower()] for g in found.groups())
            return first, second
    return None


def advice(message: str, rules: Rules) -> str:
    """What to say after torch's message when it is a dtype mismatch, else ""."""
    found = mismatch(message)
    if found is None:
        return ""
    first, second = found
    said = (
        f" This line mixes a {first} tensor with a {second} one, and torch will not combine "
        "them here: both operands must have one dtype."
    )
    return said + rules.within(
        (("to",), " Convert one to the other's dtype (y.to(x.dtype)) before the operation."),
        (
            ("arange",),
            " Build your own tensors with the input's dtype from the start "
            "(torch.arange(n, dtype=x.dtype)), or keep both sides integer or both float.",
        ),
        ((), " Build both operands with the same dtype from the start."),
    )
