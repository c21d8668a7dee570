"""The words a check's results are made of, as enums: statuses, problem kinds, call statuses and
probe families.

Each enum is str-valued and prints as its value, so the JSON, CSV and HTML views keep the exact
strings they always wrote (`"passed"`, `"wrong_shape"`), while mypy checks every use. This module
imports nothing from tensorlings: the course model, the checker and the views all read it.

>>> Status.PASSED == "passed", f"{ProblemKind.WRONG_SHAPE}", ProbeFamily("empty").words
(True, 'wrong_shape', 'an empty input')
"""

from __future__ import annotations

import enum


class _Word(str, enum.Enum):
    """A str enum that formats as its value on every Python (3.12 changed `format()`)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Status(_Word):
    """How an exercise ended."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_STARTED = "not_started"


class ProblemKind(_Word):
    """What is wrong with an exercise: a problem's `kind`."""

    WRONG_TYPE = "wrong_type"
    WRONG_SHAPE = "wrong_shape"
    WRONG_DTYPE = "wrong_dtype"
    WRONG_DEVICE = "wrong_device"
    WRONG_VALUES = "wrong_values"
    NOT_FINITE = "not_finite"
    UNSTABLE = "unstable"
    MUTATES_INPUT = "mutates_input"
    NO_GRADIENT = "no_gradient"
    FORBIDDEN_CALL = "forbidden_call"
    MISSING_CALL = "missing_call"
    USES_LOOP = "uses_loop"
    FORBIDDEN_IMPORT = "forbidden_import"
    EXCEPTION = "exception"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    CRASHED = "crashed"
    # Learner code interfered with the checker itself (the recorder, the protocol, limits).
    TAMPERING = "tampering"
    # Advice from the efficiency coach: reported, never failing.
    SLOW = "slow"
    MEMORY_HUNGRY = "memory_hungry"
    # Wrong only beyond what the sheet asks (empty input, a dtype the sheet never uses, ...):
    # a note that never fails, unless the check is --strict.
    EDGE_CASE = "edge_case"
    # A call not run because an earlier one timed out (the in-process runner says so; the
    # isolated session answers such calls as `timeout` with a "not run: ..." message).
    NOT_RUN = "skipped"


class CallStatus(_Word):
    """How one call of the learner's function ended, as the runner reports it."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"
    NOT_RUN = "skipped"  # after an earlier call's timeout (in-process runner only)


class ProbeFamily(enum.Enum):
    """A family of probes: what an input is for. Each exercise says which families are its
    contract (a failure fails the exercise) and which check robustness beyond the sheet (a
    failure is an `edge_case` note). Random cases are also drawn *as* RANDOM, LARGE or GRADIENTS.
    """

    EXAMPLES = "examples"  # the sheet's own examples
    RANDOM = "random"  # random cases of the sizes and dtypes the sheet uses
    LARGE = "large_magnitudes"  # huge entries, where a naive exp() overflows
    GRADIENTS = "gradients"  # the result carries the right gradients back
    EMPTY = "empty"  # a size of zero: no rows, no weeks, no items
    OTHER_DTYPES = "other_dtypes"  # dtypes the sheet never uses (float64, ...)
    ZERO_DIM = "zero_dim"  # 0-d tensors
    INFINITE = "infinite"  # rows holding -inf or +inf
    UNNORMALISED = "unnormalised"  # probabilities that do not sum to exactly 1

    @property
    def words(self) -> str:
        return _FAMILY_WORDS[self][0]

    @property
    def advice(self) -> str:
        return _FAMILY_WORDS[self][1]


_FAMILY_WORDS = {
    ProbeFamily.EXAMPLES: ("the examples", "Start from the example."),
    ProbeFamily.RANDOM: (
        "random inputs of the sizes and dtypes the exercise uses",
        "Try sizes other than the example's.",
    ),
    ProbeFamily.LARGE: (
        "large magnitudes (entries of ±1000 and more)",
        "Shift by the row maximum before exponentiating.",
    ),
    ProbeFamily.GRADIENTS: (
        "gradients flowing back to the inputs",
        "Avoid .detach(), .item(), in-place changes of saved tensors, and rebuilding tensors "
        "from values.",
    ),
    ProbeFamily.EMPTY: (
        "an empty input",
        "Check that the code works when a size is 0: reductions such as .max() raise on an "
        "empty tensor, so a guard assert needs `x.numel() == 0 or ...`.",
    ),
    ProbeFamily.OTHER_DTYPES: (
        "a dtype the exercise never uses",
        "Keep the input's dtype: avoid .float() at the end, and build constants with "
        "dtype=x.dtype (or torch.zeros_like, x.new_tensor).",
    ),
    ProbeFamily.ZERO_DIM: (
        "a 0-d tensor",
        "Check that the code works on a tensor with no axes (torch.tensor(-1.5)).",
    ),
    ProbeFamily.INFINITE: (
        "rows holding -inf or +inf",
        "Think about what inf - inf and 0 * inf give (nan), and keep such rows finite-safe.",
    ),
    ProbeFamily.UNNORMALISED: (
        "probabilities that do not sum to exactly 1",
        "Probabilities may sum to a little more or less than 1: divide the running total by its "
        "last value, so that every draw maps to a real event.",
    ),
}
