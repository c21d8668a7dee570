"""Section 3: moving entries around by indexing with positions computed from torch.arange."""

from __future__ import annotations

import torch

from tensorlings.exercise import (
    Call,
    Draw,
    Example,
    Exercise,
    Family,
    Mistake,
    RandomCases,
    SpecialInput,
)
from tensorlings.packs.from_scratch._common import (
    BASE_IN_WORDS,
    INTEGER_DIVISION,
    NO_LOOPS,
    SAME_EXACT,
    an_int,
    draw_entries,
    rules,
)

SECTION = "Indexing with computed positions"

_MATRIX = torch.arange(1, 13).view(3, 4)
_ALLOWED = f"{NO_LOOPS} You may only use {BASE_IN_WORDS}"
_DIVIDE = "; you may also use // and % (integer division and remainder)"


def fliplr(matrix: torch.Tensor) -> torch.Tensor:
    m = matrix.shape[1]
    return matrix[:, torch.arange(m - 1, -1, -1, device=matrix.device)]


def roll(x: torch.Tensor, shift: int) -> torch.Tensor:
    n = x.shape[1]
    # The entry that lands at position i comes from position i - shift, wrapped around.
    source = (torch.arange(n, device=x.device) - shift) % n
    return x[:, source]


def repeat_interleave(x: torch.Tensor, times: int) -> torch.Tensor:
    return x[torch.arange(x.shape[0] * times, device=x.device) // times]


def tile(x: torch.Tensor, times: int) -> torch.Tensor:
    n = x.shape[0]
    return x[torch.arange(n * times, device=x.device) % n]


def windows(x: torch.Tensor, width: int) -> torch.Tensor:
    starts = torch.arange(x.shape[0] - width + 1, device=x.device)
    offsets = torch.arange(width, device=x.device)
    return x[starts[:, None] + offsets]


def diagonal(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    n, m = matrix.shape
    # Diagonal `offset` starts in row -offset (below the main one) or column offset (above).
    first_row, first_col = max(0, -offset), max(0, offset)
    length = max(0, min(n - first_row, m - first_col))
    steps = torch.arange(length, device=matrix.device)
    return matrix[first_row + steps, first_col + steps]


def _make_matrix(d: Draw) -> tuple[torch.Tensor]:
    return (draw_entries(d, "n", "m"),)


def _make_roll(d: Draw) -> tuple[torch.Tensor, int]:
    n = d.sizes["n"]
    return draw_entries(d, "rows", "n"), an_int(d, -2 * n - 1, 2 * n + 1)


def _make_repeats(d: Draw) -> tuple[torch.Tensor, int]:
    return draw_entries(d, "n"), d.sizes["times"]


def _make_windows(d: Draw) -> tuple[torch.Tensor, int]:
    return draw_entries(d, "n"), an_int(d, 1, d.sizes["n"])


def _make_diagonal(d: Draw) -> tuple[torch.Tensor, int]:
    return draw_entries(d, "n", "m"), an_int(d, -3, 4)


def _diagonal_reversed(matrix: torch.Tensor, offset: int) -> torch.Tensor:
    n, m = matrix.shape
    first_row, first_col = max(0, offset), max(0, -offset)
    length = max(0, min(n - first_row, m - first_col))
    steps = torch.arange(length)
    return matrix[first_row + steps, first_col + steps]


_DTYPES = (torch.float32, torch.int64)
_OTHER_DTYPES = (torch.float64, torch.bool)

_FLIPLR = Exercise(
    id="fliplr",
    section=SECTION,
    title="Columns in reverse order",
    prompt=(
        "`matrix` is a 2-D tensor of shape (n, m) and any dtype; m may be 0.\n\n"
        "Return a tensor of the same shape and dtype whose columns are matrix's in reverse "
        "order (the last column first), as torch.fliplr(matrix) does.\n\n"
        f"{_ALLOWED}. Do not call flip, fliplr, flipud or rot90, and do not use a slice with "
        "a negative step (tensors do not allow one anyway)."
    ),
    solution=fliplr,
    hints=(
        "Column j of the result is which column of matrix?",
        "torch.arange can count down: what start, end and step list m - 1, m - 2, ..., 0? "
        "Remember that the end is left out.",
        "Index the columns only: matrix[:, positions].",
    ),
    examples=(Example((_MATRIX,), torch.tensor([[4, 3, 2, 1], [8, 7, 6, 5], [12, 11, 10, 9]])),),
    cases=RandomCases(
        make=_make_matrix,
        sizes={"n": (1, 5), "m": (0, 7)},
        dtypes=_DTYPES,
        other_dtypes=_OTHER_DTYPES,
    ),
    rules=rules(Call("flip / fliplr / flipud / rot90", ("flip", "fliplr", "flipud", "rot90"))),
    output=SAME_EXACT,
    shapes={"matrix": "(n, m)", "returns": "(n, m)"},
    mistakes=(
        Mistake(
            "reversing the rows",
            "fliplr reverses left and right, the order of the columns (axis 1); reversing "
            "axis 0 turns the matrix upside down instead.",
            lambda matrix: matrix[torch.arange(matrix.shape[0] - 1, -1, -1)],
        ),
        Mistake(
            "stopping the countdown at 0",
            "torch.arange(m - 1, 0, -1) leaves out its end, 0, and so the first column: count "
            "down to -1 (or use m - 1 - torch.arange(m)).",
            lambda matrix: matrix[:, torch.arange(matrix.shape[1] - 1, 0, -1)],
        ),
    ),
)

_ROLL = Exercise(
    id="roll",
    section=SECTION,
    title="Rolling around the end",
    prompt=(
        "`x` is a 2-D tensor of shape (rows, n) and any dtype; n may be 0. `shift` is a "
        "Python int, possibly negative or larger than n.\n\n"
        "Return a tensor of the same shape and dtype in which every row has moved `shift` "
        "places to the right, the entries that fall off the end coming back in at the start, "
        "as torch.roll(x, shift, dims=1) does: out[r, (i + shift) mod n] = x[r, i].\n\n"
        f"{_ALLOWED}{_DIVIDE}. Do not call roll."
    ),
    solution=roll,
    hints=(
        "Ask it the other way round: the entry that ends up at position i came from which "
        "position?",
        "How does % make a position that ran off either end come back in range, also for a "
        "negative shift or one larger than n?",
        "out[:, i] = x[:, (i - shift) % n]: build all those positions at once with arange.",
    ),
    examples=(
        Example(
            (torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]), 2),
            torch.tensor([[4, 5, 1, 2, 3], [9, 10, 6, 7, 8]]),
        ),
        Example(
            (torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]), -1),
            torch.tensor([[2, 3, 4, 5, 1], [7, 8, 9, 10, 6]]),
        ),
    ),
    cases=RandomCases(
        make=_make_roll,
        sizes={"rows": (1, 4), "n": (0, 8)},
        dtypes=_DTYPES,
        other_dtypes=_OTHER_DTYPES,
    ),
    rules=rules(Call("roll", ("roll",)), *INTEGER_DIVISION),
    output=SAME_EXACT,
    shapes={"x": "(rows, n)", "shift": "int", "returns": "(rows, n)"},
    # One column: the only input where a squeeze() dropping axis 1 shows (seed 0 never draws it).
    special_inputs=(SpecialInput(Family.RANDOM, "a single column", (torch.tensor([[3], [7]]), 2)),),
    mistakes=(
        Mistake(
            "rolling the other way",
            "x[:, (i + shift) % n] moves every entry `shift` places to the left: the entry "
            "landing at i comes from i - shift.",
            lambda x, shift: x[:, (torch.arange(x.shape[1]) + shift) % x.shape[1]],
        ),
    ),
)

_REPEAT_INTERLEAVE = Exercise(
    id="repeat_interleave",
    section=SECTION,
    title="Each entry several times",
    prompt=(
        "`x` is a 1-D tensor of shape (n,) and any dtype; n may be 0. `times` is a Python int "
        ">= 1.\n\n"
        "Return a tensor of shape (n * times,) and x's dtype in which every entry of x "
        "appears `times` times in a row, in x's order, as torch.repeat_interleave(x, times) "
        "does: [a, b] with times 3 gives [a, a, a, b, b, b].\n\n"
        f"{_ALLOWED}{_DIVIDE}. Do not call repeat_interleave, repeat or tile."
    ),
    solution=repeat_interleave,
    hints=(
        "Position k of the result holds which entry of x?",
        "Positions 0 to times - 1 come from entry 0, the next `times` from entry 1: which "
        "integer operation turns k into that entry's number?",
    ),
    examples=(Example((torch.tensor([4, 7, 1]), 3), torch.tensor([4, 4, 4, 7, 7, 7, 1, 1, 1])),),
    cases=RandomCases(
        make=_make_repeats,
        sizes={"n": (0, 6), "times": (1, 4)},
        dtypes=_DTYPES,
        other_dtypes=_OTHER_DTYPES,
    ),
    rules=rules(
        Call("repeat_interleave / repeat / tile", ("repeat_interleave", "repeat", "tile")),
        *INTEGER_DIVISION,
    ),
    output=SAME_EXACT,
    shapes={"x": "(n,)", "times": "int", "returns": "(n * times,)"},
    mistakes=(
        Mistake(
            "repeating the whole tensor",
            "k % n walks through x again and again ([a, b, a, b, ...]), which is tile; "
            "repeat_interleave keeps each entry's copies together: k // times.",
            lambda x, times: x[torch.arange(x.shape[0] * times) % x.shape[0]],
        ),
    ),
)

_TILE = Exercise(
    id="tile",
    section=SECTION,
    title="The whole tensor several times",
    prompt=(
        "`x` is a 1-D tensor of shape (n,) and any dtype; n may be 0. `times` is a Python int "
        ">= 1.\n\n"
        "Return a tensor of shape (n * times,) and x's dtype made of `times` copies of x one "
        "after the other, as x.tile(times) (or x.repeat(times)) does: [a, b] with times 3 "
        "gives [a, b, a, b, a, b].\n\n"
        f"{_ALLOWED}{_DIVIDE}. Do not call tile, repeat or repeat_interleave."
    ),
    solution=tile,
    hints=(
        "Position k of the result holds which entry of x?",
        "The positions run through 0, 1, ..., n - 1 and start again: which integer operation "
        "wraps k back into range?",
    ),
    examples=(Example((torch.tensor([4, 7, 1]), 3), torch.tensor([4, 7, 1, 4, 7, 1, 4, 7, 1])),),
    cases=RandomCases(
        make=_make_repeats,
        sizes={"n": (0, 6), "times": (1, 4)},
        dtypes=_DTYPES,
        other_dtypes=_OTHER_DTYPES,
    ),
    rules=rules(
        Call("tile / repeat / repeat_interleave", ("tile", "repeat", "repeat_interleave")),
        *INTEGER_DIVISION,
    ),
    output=SAME_EXACT,
    shapes={"x": "(n,)", "times": "int", "returns": "(n * times,)"},
    mistakes=(
        Mistake(
            "repeating each entry in place",
            "k // times keeps each entry's copies together ([a, a, a, b, b, b]), which is "
            "repeat_interleave; tile repeats the whole of x: k % n.",
            lambda x, times: x[torch.arange(x.shape[0] * times) // times],
        ),
    ),
)

_WINDOWS = Exercise(
    id="windows",
    section=SECTION,
    title="Sliding windows",
    prompt=(
        "`x` is a 1-D tensor of shape (n,) with n >= 1, any dtype, and `width` a Python int "
        "with 1 <= width <= n.\n\n"
        "Return a tensor of shape (n - width + 1, width) and x's dtype whose row s is the "
        "window x[s], x[s + 1], ..., x[s + width - 1], as x.unfold(0, width, 1) does. Build "
        "every position at once: one arange of window starts, one of offsets within a "
        "window.\n\n"
        f"{_ALLOWED}. Do not call unfold or as_strided."
    ),
    solution=windows,
    hints=(
        "Entry [s, j] of the result is which entry of x?",
        "How many windows fit, and which broadcasting sum of two aranges gives the (windows, "
        "width) table of positions s + j?",
        "Index x with that table of positions: the result takes the table's shape.",
    ),
    examples=(
        Example(
            (torch.tensor([3, 1, 4, 1, 5, 9]), 3),
            torch.tensor([[3, 1, 4], [1, 4, 1], [4, 1, 5], [1, 5, 9]]),
        ),
    ),
    cases=RandomCases(
        make=_make_windows,
        sizes={"n": (1, 9)},
        dtypes=_DTYPES,
        other_dtypes=_OTHER_DTYPES,
    ),
    rules=rules(Call("unfold / as_strided", ("unfold", "as_strided"))),
    output=SAME_EXACT,
    shapes={"x": "(n,)", "width": "int", "returns": "(n - width + 1, width)"},
    mistakes=(
        Mistake(
            "one window short",
            "The last window starts at n - width, so there are n - width + 1 of them: "
            "torch.arange(n - width) leaves the last one out.",
            lambda x, width: x[torch.arange(x.shape[0] - width)[:, None] + torch.arange(width)],
        ),
        Mistake(
            "one window per column",
            "Each row is one window: the starts go down the rows (a column, [:, None]) and the "
            "offsets along them.",
            lambda x, width: x[torch.arange(width)[:, None] + torch.arange(x.shape[0] - width + 1)],
        ),
    ),
)

_DIAGONAL = Exercise(
    id="diagonal",
    section=SECTION,
    title="Reading a diagonal",
    prompt=(
        "`matrix` is a 2-D tensor of shape (n, m) and any dtype; n and m need not be equal, "
        "and either may be 0. `offset` is a Python int.\n\n"
        "Return the 1-D tensor of the entries of diagonal number `offset`, from its top-left "
        "end, with matrix's dtype, as torch.diagonal(matrix, offset) does. Diagonal 0 is the "
        "main one (row == column); diagonal k > 0 lies k columns to the right of it (column - "
        "row == k) and diagonal -k lies k rows below it. A diagonal that misses the matrix "
        "gives an empty tensor.\n\n"
        f"{_ALLOWED}. Do not call diagonal, diag, diag_embed or trace."
    ),
    solution=diagonal,
    hints=(
        "Where does diagonal `offset` start: in which row and which column, for a positive "
        "offset and for a negative one?",
        "How many entries does it have before it runs out of rows or of columns? What if "
        "that number comes out negative?",
        "With steps = torch.arange(length), matrix[first_row + steps, first_col + steps] "
        "reads them all at once.",
    ),
    examples=(
        Example((_MATRIX, 1), torch.tensor([2, 7, 12])),
        Example((_MATRIX, -1), torch.tensor([5, 10])),
    ),
    cases=RandomCases(
        make=_make_diagonal,
        sizes={"n": (0, 5), "m": (0, 6)},
        dtypes=_DTYPES,
        other_dtypes=_OTHER_DTYPES,
    ),
    rules=rules(Call("diagonal / diag / trace", ("diagonal", "diag", "diag_embed", "trace"))),
    output=SAME_EXACT,
    shapes={"matrix": "(n, m)", "offset": "int", "returns": "(length,)"},
    mistakes=(
        Mistake(
            "the offset counted the other way",
            "A positive offset is above the main diagonal: it starts in row 0, column offset. "
            "A negative one starts in row -offset, column 0.",
            _diagonal_reversed,
        ),
    ),
)

EXERCISES = (_FLIPLR, _ROLL, _REPEAT_INTERLEAVE, _TILE, _WINDOWS, _DIAGONAL)
