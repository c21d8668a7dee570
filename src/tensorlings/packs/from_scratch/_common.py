"""What the pack's sections share: the calls every rule allows, output policies, input makers.

Reference solutions never use anything from here: the workbook copies a reference together
with the helpers of its own module only, so each reference is written out in full.
"""

from __future__ import annotations

import torch

from tensorlings import rule_apis
from tensorlings.exercise import Call, Draw, DtypePolicy, OutputPolicy, Rules

# The primitives every exercise of the pack may use, by the names the checker records them
# under. Each group lists every spelling of one idea, so that `x * mask`, `x.mul(mask)` and
# `out *= mask` are all allowed where multiplying is: a rule that allows an idea but not one
# of its spellings would raise a false alarm on correct code.
POSITIONS = ("arange",)
# masked_fill is torch.where with a constant: the same idea, another spelling.
CHOOSING = ("where", "masked_fill", "masked_fill_")
ARITHMETIC = (
    "+", "-", "*", "/", "add", "sub", "mul", "div", "neg", "multiply", "subtract", "divide",
    "true_divide", "add_", "sub_", "mul_", "div_", "bool_mask_multiply",
)  # fmt: skip
COMPARISONS = (
    "==", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge", "greater",
    "greater_equal", "less", "less_equal", "not_equal",
)  # fmt: skip
LOGIC = (
    "&", "|", "^", "~", "logical_and", "logical_or", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_not",
)  # fmt: skip
# Converting a result or a mask to another dtype; `int` is also Python's int(tensor).
CONVERSIONS = ("to", "long", "int", "float", "double", "type", "type_as")
# Adding, removing or stretching axes is broadcasting spelled as a call: x.unsqueeze(1) is
# x[:, None]; none of them moves an entry to another position along an axis.
AXES = (
    "unsqueeze", "squeeze", "view", "reshape", "flatten", "expand", "expand_as", "broadcast_to",
    "t", "transpose", "permute", "rearrange",
)  # fmt: skip
# A constant of the input's dtype for torch.where's other branch, or a tensor to fill in
# (a copy of the input, or a fresh one).
CONSTANTS = (
    "zeros_like", "new_zeros", "zeros", "ones_like", "new_ones", "ones", "full_like", "new_full",
    "full", "new_tensor", "tensor", "clone",
)  # fmt: skip
# Integer division and remainder, for wrapping and repeating positions.
INTEGER_DIVISION = ("//", "%", "floor_divide", "remainder", "fmod")

BASE = (
    *POSITIONS, *CHOOSING, *ARITHMETIC, *COMPARISONS, *LOGIC, *CONVERSIONS, *AXES, *CONSTANTS,
)  # fmt: skip

BASE_IN_WORDS = (
    "torch.arange, comparisons, torch.where (or masked_fill), arithmetic, indexing (also with "
    "integer or bool tensors, and assigning into an index), adding axes (x[:, None], "
    "unsqueeze, view, reshape, expand, einops.rearrange), dtype conversions, and constants "
    "or copies to fill in (zeros_like, new_zeros, clone)"
)


NO_LOOPS = "No Python loops or comprehensions: let whole-tensor operations do the work."


def rules(forbidden: Call, *extra: str) -> Rules:
    """The pack's rule: only the shared primitives plus `extra`, never the rebuilt function,
    and no Python loops (a loop over entries of allowed calls would dodge the point)."""
    return Rules(
        forbidden=(forbidden,),
        only=(*BASE, *extra),
        # .T, .size() and .item() were always allowed here: transposing is one of AXES.
        exempt=rule_apis.INSPECTION_LIKE,
        only_label=f"{BASE_IN_WORDS}{_extra_words(extra)}",
        only_advice="Build it from positions (torch.arange), comparisons and torch.where.",
        no_loops=True,
    )


def _extra_words(extra: tuple[str, ...]) -> str:
    shown = [name for name in extra if name.isidentifier()]
    return f", and {', '.join(shown)}" if shown else ""


# Values moved around unchanged: the same dtype as the input, exactly.
SAME_EXACT = OutputPolicy(rtol=0.0, atol=0.0)
# Positions and counts: any integer dtype, exactly (torch answers int64).
INTEGER_EXACT = OutputPolicy(dtype=DtypePolicy.INTEGER, rtol=0.0, atol=0.0)


def draw_entries(d: Draw, *dims: str | int) -> torch.Tensor:
    """Entries of the draw's dtype: normal floats, small integers (so that ties and repeats
    happen), or booleans."""
    if d.dtype.is_floating_point:
        return d.normal(*dims)
    if d.dtype == torch.bool:
        return d.integers(0, 2, *dims).bool()
    return d.integers(-9, 10, *dims).to(d.dtype)


def an_int(d: Draw, low: int, high: int) -> int:
    """A Python int in [low, high], drawn from the case's own generator."""
    return int(d.integers(low, high + 1))
