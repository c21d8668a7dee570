"""Section 4: arithmetic that broadcasts, from an outer product to pairwise distances."""

from __future__ import annotations

import torch

from tensorlings.exercise import (
    Call,
    Draw,
    DtypePolicy,
    Example,
    Exercise,
    Family,
    Mistake,
    OutputPolicy,
    RandomCases,
    SpecialInput,
    Tiers,
)
from tensorlings.packs.from_scratch._common import (
    BASE_IN_WORDS,
    NO_LOOPS,
    SAME_EXACT,
    an_int,
    draw_entries,
    rules,
)

SECTION = "Broadcasting arithmetic"

_ALLOWED = f"{NO_LOOPS} You may only use {BASE_IN_WORDS}"


def outer(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a[:, None] * b[None, :]


def cdist(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # (n, 1, d) - (1, m, d): every point of a against every point of b.
    diff = a[:, None, :] - b[None, :, :]
    return (diff * diff).sum(dim=-1).sqrt()


def linspace(start: float, end: float, steps: int) -> torch.Tensor:
    # steps points have steps - 1 gaps between them; a single point has none to divide by.
    gap = (end - start) / max(steps - 1, 1)
    return start + torch.arange(steps) * gap


def pad(x: torch.Tensor, before: int, after: int) -> torch.Tensor:
    rows, n = x.shape
    out = x.new_zeros(rows, before + n + after)
    out[:, before : before + n] = x
    return out


def _make_vectors(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return draw_entries(d, "n"), draw_entries(d, "m")


def _make_points(d: Draw) -> tuple[torch.Tensor, torch.Tensor]:
    return d.normal("n", "dims"), d.normal("m", "dims")


def _make_line(d: Draw) -> tuple[float, float, int]:
    return float(d.uniform(-5, 5)), float(d.uniform(-5, 5)), d.sizes["steps"]


def _make_pad(d: Draw) -> tuple[torch.Tensor, int, int]:
    return draw_entries(d, "rows", "n"), an_int(d, 0, 3), an_int(d, 0, 3)


def _pad_swapped(x: torch.Tensor, before: int, after: int) -> torch.Tensor:
    rows, n = x.shape
    out = x.new_zeros(rows, before + n + after)
    out[:, after : after + n] = x
    return out


_OUTER = Exercise(
    id="outer",
    section=SECTION,
    title="The outer product",
    prompt=(
        "`a` is a 1-D tensor of shape (n,) and `b` one of shape (m,), of the same dtype "
        "(float or integer); n or m may be 0.\n\n"
        "Return the (n, m) tensor with entry [i, j] = a[i] * b[j] and their dtype, as "
        "torch.outer(a, b) does. Gradients must flow back to a and b.\n\n"
        f"{_ALLOWED}. Do not call outer, ger, einsum, matmul or kron."
    ),
    solution=outer,
    hints=(
        "Which shapes must a and b have so that multiplying them broadcasts to (n, m)?",
        "a[:, None] is a column of shape (n, 1). What is b[None, :], and what is their product?",
    ),
    examples=(
        Example(
            (torch.tensor([1, 2, 3]), torch.tensor([10, -1])),
            torch.tensor([[10, -1], [20, -2], [30, -3]]),
        ),
    ),
    cases=RandomCases(
        make=_make_vectors,
        sizes={"n": (0, 6), "m": (0, 5)},
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64,),
        grad_args=(0, 1),
    ),
    tiers=Tiers.contract_also(Family.GRADIENTS),
    rules=rules(
        Call(
            "outer / ger / einsum / matmul / kron",
            ("outer", "ger", "einsum", "matmul", "@", "mm", "kron", "tensordot"),
        )
    ),
    shapes={"a": "(n,)", "b": "(m,)", "returns": "(n, m)"},
    mistakes=(
        Mistake(
            "b down the rows",
            "The rows belong to a and the columns to b: a[:, None] * b[None, :], not "
            "b[:, None] * a[None, :], which is the transpose.",
            lambda a, b: b[:, None] * a[None, :],
        ),
    ),
)

_DISTANCES = Call(
    "cdist / pdist / dist / norm / pairwise_distance",
    ("cdist", "pdist", "dist", "norm", "vector_norm", "linalg_vector_norm", "pairwise_distance"),
)

_CDIST = Exercise(
    id="cdist",
    section=SECTION,
    title="Every distance between two point sets",
    prompt=(
        "`a` is a float tensor of shape (n, dims): n points with dims coordinates each; `b` "
        "is one of shape (m, dims) and the same dtype. n or m may be 0.\n\n"
        "Return the (n, m) tensor, of a's dtype, whose entry [i, j] is the Euclidean distance "
        "between point a[i] and point b[j]: the square root of the sum over coordinates of "
        "(a[i, c] - b[j, c]) ** 2, as torch.cdist(a, b) does.\n\n"
        f"{_ALLOWED}; you may also call sum, sqrt, pow and square. Do not call cdist, pdist, "
        "dist, norm or pairwise_distance."
    ),
    solution=cdist,
    hints=(
        "For one pair of points, what do you compute? Which part of that is done for every "
        "coordinate, and which once per pair?",
        "a[:, None, :] - b[None, :, :] has shape (n, m, dims): what does entry [i, j, c] hold?",
        "Square, sum over the coordinate axis (the last), then take the square root.",
    ),
    examples=(
        Example(
            (
                torch.tensor([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]]),
                torch.tensor([[0.0, 0.0], [6.0, 8.0]]),
            ),
            torch.tensor([[0.0, 10.0], [5.0, 5.0], [1.4142135, 8.6023254]]),
        ),
    ),
    cases=RandomCases(
        make=_make_points,
        sizes={"n": (0, 5), "m": (0, 6), "dims": (1, 4)},
        dtypes=(torch.float32,),
        other_dtypes=(torch.float64,),
    ),
    rules=rules(_DISTANCES, "sum", "sqrt", "pow", "**", "square"),
    output=OutputPolicy(),
    shapes={"a": "(n, dims)", "b": "(m, dims)", "returns": "(n, m)"},
    mistakes=(
        Mistake(
            "squared distances",
            "The sum of squared differences is the squared distance: take its square root.",
            lambda a, b: ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1),
        ),
        Mistake(
            "the root of each coordinate's square",
            "Taking the square root before summing gives the sum of absolute differences (the "
            "L1 or Manhattan distance). Sum the squares first, then take one square root.",
            lambda a, b: ((a[:, None, :] - b[None, :, :]) ** 2).sqrt().sum(dim=-1),
        ),
    ),
)

_LINSPACE = Exercise(
    id="linspace",
    section=SECTION,
    title="Evenly spaced points",
    prompt=(
        "`start` and `end` are Python floats and `steps` a Python int >= 1 (0 is allowed "
        "too, and gives an empty tensor).\n\n"
        "Return a 1-D float tensor of shape (steps,) holding `steps` evenly spaced numbers "
        "from start to end, both ends included, as torch.linspace(start, end, steps) does "
        "(float32; float64 is accepted too). A single step gives just [start].\n\n"
        f"{_ALLOWED}. Do not call linspace or logspace."
    ),
    solution=linspace,
    hints=(
        "steps points with the first at start and the last at end: how many gaps lie "
        "between them, and how wide is each?",
        "torch.arange(steps) numbers the points 0, 1, ..., steps - 1. How do you turn number "
        "k into start + k gaps?",
        "What happens to your gap when steps is 1? torch.linspace(2.5, 7.0, 1) is [2.5].",
    ),
    examples=(
        Example((0.0, 1.0, 5), torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])),
        Example((-1.0, 2.0, 4), torch.tensor([-1.0, 0.0, 1.0, 2.0])),
    ),
    cases=RandomCases(make=_make_line, sizes={"steps": (0, 12)}),
    rules=rules(Call("linspace / logspace", ("linspace", "logspace"))),
    output=OutputPolicy(dtype=DtypePolicy.FLOATING),
    shapes={"start": "float", "end": "float", "steps": "int", "returns": "(steps,)"},
    # One step has no gap to divide by; random cases draw steps = 1 only now and then.
    special_inputs=(SpecialInput(Family.RANDOM, "a single step", (2.5, 7.0, 1)),),
    mistakes=(
        Mistake(
            "dividing by steps",
            "steps points have steps - 1 gaps between them: dividing end - start by steps "
            "makes the gaps too small, and the last point falls short of end.",
            lambda start, end, steps: start + torch.arange(steps) * ((end - start) / steps),
        ),
        Mistake(
            "dividing by zero for a single step",
            "With steps == 1 there are no gaps: (end - start) / (steps - 1) is a division by "
            "zero (nan or inf). A single point is just start, so divide by max(steps - 1, 1).",
            lambda start, end, steps: start + (end - start) * torch.arange(steps) / (steps - 1),
        ),
    ),
)

_PAD = Exercise(
    id="pad",
    section=SECTION,
    title="Zeros on both ends",
    prompt=(
        "`x` is a 2-D tensor of shape (rows, n) and any dtype; rows or n may be 0. `before` "
        "and `after` are Python ints >= 0.\n\n"
        "Return a tensor of shape (rows, before + n + after) and x's dtype: every row of x "
        "with `before` zeros in front of it and `after` zeros behind it, as "
        "torch.nn.functional.pad(x, (before, after)) does.\n\n"
        f"{_ALLOWED}; you may also call cat. Do not call pad."
    ),
    solution=pad,
    hints=(
        "What shape does the result have, and what is in it before x is put in?",
        "Which columns of the result does x occupy? A slice assignment out[:, i:j] = x "
        "writes it there (or join zeros, x and zeros with torch.cat).",
    ),
    examples=(
        Example(
            (torch.tensor([[1, 2, 3], [4, 5, 6]]), 1, 2),
            torch.tensor([[0, 1, 2, 3, 0, 0], [0, 4, 5, 6, 0, 0]]),
        ),
    ),
    cases=RandomCases(
        make=_make_pad,
        sizes={"rows": (0, 4), "n": (0, 6)},
        dtypes=(torch.float32, torch.int64),
        other_dtypes=(torch.float64, torch.bool),
    ),
    rules=rules(Call("pad", ("pad", "constant_pad_nd")), "cat", "concat", "concatenate"),
    output=SAME_EXACT,
    shapes={
        "x": "(rows, n)",
        "before": "int",
        "after": "int",
        "returns": "(rows, before + n + after)",
    },
    # An answer one column wide is where a squeeze() shows; random cases rarely draw it.
    special_inputs=(
        SpecialInput(Family.RANDOM, "one column, no padding", (torch.tensor([[7], [-3]]), 0, 0)),
    ),
    mistakes=(
        Mistake(
            "before and after swapped",
            "`before` zeros go in front of each row (on the left) and `after` zeros behind "
            "it: x starts at column `before`.",
            _pad_swapped,
        ),
    ),
)

EXERCISES = (_OUTER, _CDIST, _LINSPACE, _PAD)
