"""The data that defines one exercise: the single source of truth for everything else.

Workbooks, the checker, `show`, hints and grading all read these objects; nothing about an
exercise is written down twice.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from tensorlings import rule_apis
from tensorlings.judges import Compare, Judge
from tensorlings.vocab import ProbeFamily

# The authoring name packs use for the probe families (one taxonomy: tensorlings.vocab).
Family = ProbeFamily


class DtypePolicy(enum.Enum):
    """Which output dtypes count as right; written on each exercise."""

    SAME = "same"  # exactly the reference's dtype (a float32 softmax stays float32)
    ANY_NUMERIC = "any_numeric"  # bool, integer or float all fine if the values are equal
    INTEGER = "integer"  # any integer dtype
    FLOATING = "floating"  # any floating dtype


SHEET_CONTRACT = frozenset({Family.EXAMPLES, Family.RANDOM, Family.LARGE})


@dataclass(frozen=True)
class Tiers:
    """Which probe families are the exercise's contract; every other family is robustness
    beyond the sheet. Input mutation and the rules are always part of the contract.

    >>> Tiers().fails(Family.EMPTY)
    False
    >>> Tiers.contract_also(Family.GRADIENTS).fails(Family.GRADIENTS)
    True
    """

    contract: frozenset[Family] = SHEET_CONTRACT

    @classmethod
    def contract_also(cls, *families: Family) -> Tiers:
        return cls(SHEET_CONTRACT | frozenset(families))

    def fails(self, family: Family) -> bool:
        return family in self.contract

    def describe(self, present: frozenset[Family]) -> tuple[list[str], list[str]]:
        """(contract, beyond) as words, for the families this exercise has probes of."""
        order = list(Family)
        contract = [f.words for f in order if f in present and self.fails(f)]
        beyond = [f.words for f in order if f in present and not self.fails(f)]
        return contract, beyond


@dataclass(frozen=True)
class Mistake:
    """A mistake learners make, written as the code that makes it.

    `run` takes the exercise's arguments and returns what the mistaken code returns; when a
    learner's wrong output equals it, the message leads with `name` and `explain`.

    >>> population_std = Mistake(
    ...     "the population standard deviation",
    ...     "torch.std divides by n - 1 unless told otherwise; dividing by n gives another answer.",
    ...     lambda temps: temps.std(unbiased=False),
    ... )
    >>> population_std.name
    'the population standard deviation'
    """

    name: str
    explain: str
    run: Callable[..., Any]


@dataclass(frozen=True)
class SpecialInput:
    """A fixed input of one probe family (an all -inf row, a 0-d tensor, ...)."""

    family: Family
    label: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class OutputPolicy:
    """What the output must look like and how closely its values must match."""

    dtype: DtypePolicy = DtypePolicy.SAME
    rtol: float = 1e-5
    atol: float = 1e-4
    # A 0-d result may also come back as a Python number (e.g. `.item()`).
    python_number_ok: bool = False

    def describe(self) -> str:
        words = {
            DtypePolicy.SAME: "the same dtype as the reference",
            DtypePolicy.ANY_NUMERIC: "any bool, integer or float dtype",
            DtypePolicy.INTEGER: "any integer dtype",
            DtypePolicy.FLOATING: "any floating-point dtype",
        }[self.dtype]
        extra = "; a Python number is accepted for a single value" if self.python_number_ok else ""
        return f"{words}{extra}"


@dataclass(frozen=True)
class Call:
    """A call the rules talk about, with every spelling that counts as it.

    `names` are canonical call names as the checker records them: a torch function, a Tensor
    method and an einops function with the same name are one name (`softmax` covers
    `torch.softmax`, `x.softmax` and `F.softmax`). A few names are events rather than functions:
    `int_tensor_index` (indexing with an integer tensor), `setitem` (item assignment),
    `bool_mask_multiply` (multiplying by a boolean tensor).
    """

    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """Which calls the learner's code must make, must not make, or may only make.

    Names are the names the checker records (docs/recorded-names.md): an operator is its symbol
    (`"/"`, `"@"`, `"<"`), apart from the function behind it (`"div"`, `"matmul"`, `"lt"`).
    """

    required: tuple[Call, ...] = ()
    forbidden: tuple[Call, ...] = ()
    # When set, every recorded call the learner's code makes must be one of these names, apart
    # from reading what a tensor is (rule_apis.INSPECTION: .shape, .dtype, len()...), indexing,
    # and the names in `exempt`. Calls made inside the function of another exercise of the pack
    # (the learner's own earlier puzzle) are that exercise's, judged on its own.
    only: tuple[str, ...] | None = None
    # Names that never count against `only` (rule_apis.INSPECTION_LIKE: .T, .size(), .item()).
    exempt: tuple[str, ...] = ()
    # The author's words for the `only` list, which the learner reads instead of the names
    # ("arange, where, indexing, arithmetic and comparisons").
    only_label: str | None = None
    # What to try after breaking `only` or `forbidden_modules`: said for this exercise, never
    # advice written for another pack.
    only_advice: str = "Build the result from the calls this exercise allows."
    modules_advice: str = "Build the result with torch."
    no_loops: bool = False
    # Modules whose use inside the function is forbidden (checked on the code's imports).
    forbidden_modules: tuple[str, ...] = ()

    def only_words(self) -> str:
        return self.only_label or ", ".join(self.only or ())

    def allows(self, name: str) -> bool:
        """The learner may call `name` (a recorded name) under these rules."""
        if any(name in call.names for call in self.forbidden):
            return False
        return self.only is None or name in {*self.only, *self.exempt, *rule_apis.INSPECTION}

    def within(self, *options: tuple[tuple[str, ...], str]) -> str:
        """The first advice whose calls these rules allow: advice never suggests a call the
        exercise forbids. The last option should name no call.

        >>> Rules(only=("arange",)).within((("squeeze",), "squeeze(-1)"), ((), "index it"))
        'index it'
        """
        for calls, advice in options:
            if all(self.allows(name) for name in calls):
                return advice
        return options[-1][1] if options else ""

    def describe(self) -> list[str]:
        lines = [f"must call {c.label}" for c in self.required]
        lines += [f"must not call {c.label}" for c in self.forbidden]
        if self.only is not None:
            lines.append("may only call " + self.only_words())
        if self.no_loops:
            lines.append("no Python loops or comprehensions")
        lines += [f"must not use {m}" for m in self.forbidden_modules]
        return lines


@dataclass(frozen=True)
class Example:
    """One of the sheet's own examples: its inputs and the value the sheet expects."""

    args: tuple[Any, ...]
    expected: Any


@dataclass(frozen=True)
class Draw:
    """What a random-case generator draws from: a seeded generator and named sizes."""

    rng: torch.Generator
    sizes: Mapping[str, int]
    dtype: torch.dtype = torch.float32
    scale: float = 1.0

    def shape(self, *dims: str | int) -> tuple[int, ...]:
        return tuple(d if isinstance(d, int) else self.sizes[d] for d in dims)

    def normal(self, *dims: str | int) -> torch.Tensor:
        x = torch.randn(self.shape(*dims), generator=self.rng, dtype=torch.float64)
        return (x * self.scale).to(self.dtype)

    def uniform(self, low: float, high: float, *dims: str | int) -> torch.Tensor:
        x = torch.rand(self.shape(*dims), generator=self.rng, dtype=torch.float64)
        return (low + (high - low) * x).to(self.dtype)

    def integers(self, low: int, high: int, *dims: str | int) -> torch.Tensor:
        """Integers in [low, high), as int64."""
        return torch.randint(low, high, self.shape(*dims), generator=self.rng)


CaseMaker = Callable[[Draw], tuple[Any, ...]]


@dataclass(frozen=True)
class RandomCases:
    """How to make random inputs: named sizes with their ranges, and a maker."""

    make: CaseMaker
    # Inclusive ranges. A minimum of 0 says an empty input is valid: random cases draw sizes from
    # 1 up, and each size that may be 0 gets an `empty` probe of its own.
    sizes: Mapping[str, tuple[int, int]]
    # The dtypes the sheet uses (the contract) and others a robust solution handles too.
    dtypes: tuple[torch.dtype, ...] = (torch.float32,)
    other_dtypes: tuple[torch.dtype, ...] = ()
    # Scale of the "large magnitudes" probes; None when the exercise has no stability aspect.
    stress_scale: float | None = None
    # What to try when the answer is right on moderate inputs and wrong on large ones.
    stress_advice: str = "Shift each row by its maximum before exponentiating."
    # Indices of arguments that get requires_grad=True in the gradient probes.
    grad_args: tuple[int, ...] = ()
    count: int = 12


@dataclass(frozen=True)
class Option:
    """One answer to a predict-the-output question, and how to recognise it when run."""

    letter: str
    text: str
    matches: Callable[[Any], bool]  # applied to the snippet's outcome (value or exception)


@dataclass(frozen=True)
class Question:
    snippet: str  # Python code whose last line is an expression; `t` is torch
    options: tuple[Option, ...]
    explanation: str


@dataclass(frozen=True)
class Recipe:
    """A large seeded random input the worker makes itself (it costs nothing to send).

    kind: "normal" (standard normal floats), "probs" (a random distribution over `shape[0]`
    events) or "integers" (in [low, high)).
    """

    kind: str
    shape: tuple[int, ...]
    low: int = 0
    high: int = 0


COACH_ADVICE = "look for work repeated per row or element, a needless copy, or printing"


@dataclass(frozen=True)
class Coach:
    """Efficiency advice: a passing solution far slower or hungrier than the reference on
    these larger arguments gets a note (never a failure).

    Each argument is a Recipe or a plain value; the i-th recipe is seeded with seed + i.

    >>> Coach((Recipe("normal", (2048, 256)),), "shape (2048, 256)").advice == COACH_ADVICE
    True
    """

    args: tuple[Any, ...]
    described: str
    advice: str = COACH_ADVICE


_COMPARE = Compare()  # frozen: one shared default is safe


@dataclass(frozen=True)
class Exercise:
    """One exercise: everything the workbook, the checker and the CLI need."""

    id: str
    section: str
    title: str
    prompt: str
    solution: Callable[..., Any]
    hints: tuple[str, ...]
    # How the answer is judged: Compare (the default), Sampling, Strided or Ask.
    judge: Judge = _COMPARE
    examples: tuple[Example, ...] = ()
    cases: RandomCases | None = None
    rules: Rules = Rules()
    output: OutputPolicy = OutputPolicy()
    # Code the workbook puts in the stub instead of `pass`; a body equal to it is not started.
    starter: str | None = None
    # Shown to the learner beside the stub as the function's shape contract.
    shapes: Mapping[str, str] = field(default_factory=dict)
    # Which probe families fail the exercise, and which only give an edge-case note.
    tiers: Tiers = Tiers()
    # Fixed inputs of particular families (infinite rows, 0-d tensors, ...).
    special_inputs: tuple[SpecialInput, ...] = ()
    # Mistakes learners make, recognised in a wrong output and named in the message.
    mistakes: tuple[Mistake, ...] = ()
    # A larger input on which a passing solution is timed against the reference; None: never.
    coach: Coach | None = None
