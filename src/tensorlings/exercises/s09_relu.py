"""Section 9: ReLU written five ways, each with a different tool and none with a built-in."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tensorlings.exercise import (
    Call,
    Coach,
    Draw,
    Example,
    Exercise,
    Family,
    Mistake,
    RandomCases,
    Recipe,
    Rules,
    SpecialInput,
    Tiers,
)
from tensorlings.exercises._shared import BUILTIN_RELU

SECTION = "Five ways to write ReLU"


def _case(d: Draw) -> tuple[torch.Tensor]:
    return (d.normal("rows", "n"),)


_CASES = RandomCases(
    make=_case,
    sizes={"n": (0, 20), "rows": (1, 3)},
    dtypes=(torch.float32,),
    other_dtypes=(torch.float64,),
    grad_args=(0,),
)
# The sheet tests its ReLUs on an input with requires_grad=True: gradients are in the contract.
_TIERS = Tiers.contract_also(Family.GRADIENTS)
_ZERO_DIM = (
    SpecialInput(Family.ZERO_DIM, "a 0-d negative tensor", (torch.tensor(-1.5),)),
    SpecialInput(Family.ZERO_DIM, "a 0-d positive tensor", (torch.tensor(2.5),)),
    # A fixed witness for the size-1 axis: random cases draw n = 1 only now and then, and only
    # there does a squeeze() that drops the column axis show.
    SpecialInput(Family.RANDOM, "a single column", (torch.tensor([[-0.5], [1.5]]),)),
)
_NEGATIVE_PART = (
    "Your result is min(x, 0): the negative entries are kept and the positive ones zeroed. "
    "ReLU keeps the positive entries."
)
_WHERE_ORDER = (
    " torch.where(cond, a, b) takes a where cond holds and b elsewhere: with the condition "
    "x > 0, x comes first."
)


def _common_mistakes(exercise_id: str) -> tuple[Mistake, ...]:
    where = _WHERE_ORDER if exercise_id == "relu_where" else ""
    return (
        Mistake(
            "the negative part instead of the positive part",
            _NEGATIVE_PART + where,
            lambda x: torch.minimum(x, torch.zeros_like(x)),
        ),
        Mistake(
            "the absolute value",
            "Negative entries must become 0, not their size: |x| is not ReLU(x).",
            lambda x: x.abs(),
        ),
    )


_MISTAKES = {
    "relu_abs": (
        Mistake(
            "x + |x| without halving",
            "x + |x| is 2x where x is positive: divide by 2.",
            lambda x: x + x.abs(),
        ),
        # Right on the sheet's whole-number example. Declared so that it is named the same
        # under every seed (unnamed, two draws rounding to the same output named it by chance).
        Mistake(
            "floor division by 2",
            "// is floor division: it rounds down, so (x + |x|) // 2 turns 1.5 into 1.0. "
            "Divide with /.",
            lambda x: torch.div(x + x.abs(), 2, rounding_mode="floor"),
        ),
    ),
}
_EXAMPLE = Example((torch.arange(-1, 3, dtype=torch.float32),), torch.tensor([0.0, 0.0, 1.0, 2.0]))


def relu_clone_setitem(x: torch.Tensor) -> torch.Tensor:
    y = x.clone()
    y[y < 0] = 0
    return y


def relu_where(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, x, 0.0)


def relu_maximum(x: torch.Tensor) -> torch.Tensor:
    # A zero-dimensional 0 broadcasts against x: no full-size tensor of zeros is needed.
    return torch.maximum(x, x.new_zeros(()))


def relu_abs(x: torch.Tensor) -> torch.Tensor:
    # x + |x| is 2x where x > 0 and exactly 0 elsewhere (div_ halves it in place).
    return (x + x.abs()).div_(2)


def relu_multiply_bool(x: torch.Tensor) -> torch.Tensor:
    return x * (x > 0)


_COACH = Coach((Recipe("normal", (2048, 256)),), "shape (2048, 256)")


def _relu(
    exercise_id: str,
    title: str,
    solution: Callable[[torch.Tensor], torch.Tensor],
    how: str,
    required: tuple[Call, ...],
    hints: tuple[str, ...],
) -> Exercise:
    return Exercise(
        id=exercise_id,
        section=SECTION,
        title=title,
        prompt=(
            "Return ReLU(x): a tensor of the same shape and dtype as x that equals x where x is "
            "positive and 0 everywhere else. x is a float tensor of any shape; beyond the "
            "sheet, that includes 0-d (a single number) and empty tensors.\n\n"
            f"This time, {how}\n\n"
            "Do not call relu, clamp, clip, threshold or hardtanh. Leave x itself unchanged, and "
            "keep gradients flowing: the gradient of your result with respect to x should be 1 "
            "where x is positive and 0 where it is negative."
        ),
        solution=solution,
        hints=hints,
        examples=(_EXAMPLE,),
        cases=_CASES,
        rules=Rules(required=required, forbidden=BUILTIN_RELU),
        shapes={"x": "any shape", "returns": "same shape as x"},
        tiers=_TIERS,
        special_inputs=_ZERO_DIM,
        mistakes=_MISTAKES.get(exercise_id, ()) + _common_mistakes(exercise_id),
        coach=_COACH,
    )


EXERCISES = (
    _relu(
        "relu_clone_setitem",
        "Copy, then overwrite",
        relu_clone_setitem,
        "make a copy of x with clone, then assign 0 to the copy's negative entries.",
        (
            Call("torch.clone (or x.clone)", ("clone",)),
            Call("item assignment such as y[y < 0] = 0", ("setitem",)),
        ),
        (
            "Why copy first? What would assigning into x itself do to the caller's tensor, and "
            "to autograd?",
            "Which boolean tensor picks out the entries you want to overwrite?",
            "After y = x.clone(), what does y[y < 0] = 0 do?",
        ),
    ),
    _relu(
        "relu_where",
        "Choose with where",
        relu_where,
        "use torch.where to choose, entry by entry, between x and 0.",
        (Call("torch.where", ("where",)),),
        (
            "torch.where takes a condition and two values: which comes first, the value used "
            "where the condition holds or the other one?",
            "What condition on x says 'keep this entry'? Can the other value be a plain 0.0?",
        ),
    ),
    _relu(
        "relu_maximum",
        "The larger of x and 0",
        relu_maximum,
        "use torch.maximum, which takes the larger of two tensors entry by entry.",
        (Call("torch.maximum", ("maximum", "max")),),
        (
            "ReLU(x) is the larger of which two numbers?",
            "torch.maximum wants two tensors: how do you make a tensor of zeros with x's shape, "
            "dtype and device?",
        ),
    ),
    _relu(
        "relu_abs",
        "Arithmetic with abs",
        relu_abs,
        "use torch.abs and arithmetic: no comparisons needed.",
        (Call("torch.abs", ("abs", "absolute")),),
        (
            "What is x + |x| when x is positive? And when x is negative?",
            "How do you turn x + |x| into exactly ReLU(x)?",
        ),
    ),
    _relu(
        "relu_multiply_bool",
        "Multiply by a mask",
        relu_multiply_bool,
        "build a boolean tensor from x and multiply x by it, entry by entry.",
        # Converting the mask with .float() before multiplying is the same idea, so any
        # multiply counts, next to a comparison that builds the mask.
        (
            Call(
                "a comparison that builds the mask (such as x > 0)",
                (
                    ">",
                    ">=",
                    "<",
                    "<=",
                    "gt",
                    "ge",
                    "lt",
                    "le",
                    "greater",
                    "greater_equal",
                    "less",
                    "less_equal",
                ),
            ),
            Call("multiplying x by the mask", ("*", "mul", "multiply", "bool_mask_multiply")),
        ),
        (
            "What number does True become when you multiply a float by it? And False?",
            "Which comparison gives True exactly where ReLU keeps x?",
        ),
    ),
)
