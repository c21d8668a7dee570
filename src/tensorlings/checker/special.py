"""The checking behind the judges that are not "compare with the reference": sampling,
as_strided answers and predict-the-output questions (checker/strategies.py dispatches here)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from tensorlings.checker import mistakes
from tensorlings.checker.compare import compare, describe_value
from tensorlings.checker.judge import _decode, call_text, mutation_problems
from tensorlings.checker.probes import Probe
from tensorlings.checker.results import Problem
from tensorlings.checker.stats import chi_square_p_value
from tensorlings.exercise import DtypePolicy, Exercise, OutputPolicy, Question
from tensorlings.judges import Strided
from tensorlings.messages.replies import CallResult
from tensorlings.questions import correct_letter
from tensorlings.vocab import ProblemKind

# Each test of a correct sampler (chi-square, too-even spread) fails this rarely; the dozen of
# them keep the false-alarm rate near one in a million.
P_VALUE_THRESHOLD = 1e-7
# Samples this consistent with a mistake's distribution are taken to come from it.
MISTAKE_P_VALUE = 1e-3
MAX_EVEN_EVENTS = 20


def sampling_problems(exercise: Exercise, probe: Probe, result: CallResult) -> list[Problem]:
    probs, n = probe.args
    call = call_text(exercise, probe.args)
    actual = _decode(result.output)
    shape_only = torch.zeros(n, dtype=torch.int64)
    mismatch = compare(actual, shape_only, OutputPolicy(dtype=DtypePolicy.INTEGER), values=False)
    if mismatch is not None:
        return [Problem(mismatch.kind, f"{call}: {mismatch.message}")]
    mutated = mutation_problems(exercise, probe, result)
    if mutated:
        return mutated
    if n == 0:
        return []
    problem = _frequency_problem(exercise, probe, actual.long(), call)
    if problem is None:
        return []
    found = sampling_mistake(exercise, probs, actual.long())
    if found is not None:
        problem = mistakes.lead_with(
            replace(problem, call=call), mistakes.Recognised(found.name, found.explain)
        )
    return [problem]


def _frequency_problem(
    exercise: Exercise, probe: Probe, samples: torch.Tensor, call: str
) -> Problem | None:
    probs, n = probe.args
    k = probs.numel()
    low, high = int(samples.min()), int(samples.max())
    if low < 0:
        return Problem(
            ProblemKind.WRONG_VALUES,
            f"{call} returned index {low}, but indexes start at 0. Counting the running totals "
            "at or below a draw already gives its event's index: nothing needs subtracting",
        )
    if high >= k:
        bad = high
        return Problem(
            ProblemKind.WRONG_VALUES,
            f"{call} returned index {bad}, but there are only {k} events (0 to {k - 1}). "
            f"With {probe.label}, the last running total is {float(probs.cumsum(0)[-1]):.6f}; "
            "a uniform draw above it must still map to a real event",
        )  # fmt: skip
    counts = torch.bincount(samples, minlength=k)
    impossible = ((probs == 0) & (counts > 0)).nonzero().flatten().tolist()
    if impossible:
        return Problem(
            ProblemKind.WRONG_VALUES,
            f"{call} drew events {impossible[:5]}, whose probability is 0",
        )  # fmt: skip
    p_value = chi_square_p_value(counts, probs)
    if p_value < P_VALUE_THRESHOLD:
        observed = (counts.double() / n)[:6].tolist()
        wanted = (probs.double() / probs.double().sum())[:6].tolist()
        return Problem(
            ProblemKind.WRONG_VALUES,
            f"the frequencies of {call} do not follow probs (chi-square p = {p_value:.1e}): "
            f"observed {[round(x, 4) for x in observed]}, expected "
            f"{[round(x, 4) for x in wanted]}",
            details={"p_value": p_value},
        )  # fmt: skip
    return _not_random(samples, probs, p_value, call, probe)


def _not_random(
    samples: torch.Tensor, probs: torch.Tensor, p_value: float, call: str, probe: Probe
) -> Problem | None:
    """Samples that follow probs too well to be random: sorted, or spaced like quantiles."""
    n = samples.numel()
    distinct = int((probs > 0).sum())
    # The too-even test reads the lower tail of chi-square, trusted only for few, well-filled bins.
    if n < 1000 or not 2 <= distinct <= MAX_EVEN_EVENTS:
        return None
    if bool((samples[1:] >= samples[:-1]).all()) or bool((samples[1:] <= samples[:-1]).all()):
        what = "in sorted order"
    elif p_value > 1 - P_VALUE_THRESHOLD:
        what = "spread over the events exactly in proportion, like evenly spaced quantiles"
    else:
        return None
    return Problem(
        ProblemKind.WRONG_VALUES,
        f"the samples of {call} come {what}: a random sample of {n} draws is not. Draw them "
        "with torch.rand and map each draw to an event through the running total",
    )  # fmt: skip


def same_draws_problem(
    exercise: Exercise, probes: list[Probe], outputs: list[Any], reseeded: tuple[str, str]
) -> Problem | None:
    """Two calls that differ only in the seed give the same samples: not a random sampler."""
    pairs = [
        (probe, out)
        for probe, out in zip(probes, outputs, strict=False)
        if probe.label in reseeded and isinstance(out, torch.Tensor)
    ]
    if len(pairs) != 2 or not torch.equal(pairs[0][1], pairs[1][1]):
        return None
    call = call_text(exercise, pairs[0][0].args)
    return Problem(
        ProblemKind.WRONG_VALUES,
        f"{call} gave exactly the same samples under two different random seeds: is the seed "
        "fixed inside the function (torch.manual_seed), or are the draws not random?",
        call=call,
        seed=pairs[1][0].seed,
        mistake="samples that ignore the random seed",
    )


def sampling_mistake(exercise: Exercise, probs: torch.Tensor, samples: torch.Tensor) -> Any:
    """The declared sampling mistake whose distribution the samples follow, if any.

    A sampling exercise's `Mistake.run(probs)` gives the probability of each value the
    mistaken sampler returns (index = value)."""
    low, high = int(samples.min()), int(samples.max())
    for mistake in exercise.mistakes:
        try:
            wanted = mistake.run(probs.double()).double().reshape(-1)
        except Exception:  # not applicable to this input
            continue
        if low < 0 or high >= wanted.numel():
            continue  # values the mistaken sampler never returns (and no huge bincount)
        counts = torch.bincount(samples, minlength=wanted.numel())
        if bool(((wanted == 0) & (counts > 0)).any()):
            continue
        if chi_square_p_value(counts, wanted) >= MISTAKE_P_VALUE:
            return mistake
    return None


def strided_answer(value: Any) -> tuple[tuple[int, ...], tuple[int, ...]] | str:
    """(size, stride) from what the learner returned, or what is wrong with it."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return f"expected (size, stride), got {describe_value(value)}"
    size, stride = value
    for name, part in (("size", size), ("stride", stride)):
        if not isinstance(part, list | tuple) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in part
        ):
            return f"{name} must be a tuple of ints, got {describe_value(part)}"
        if any(v < 0 or v >= 2**31 for v in part) or len(part) > 8:
            return f"{name} must hold at most 8 non-negative ints below 2**31, got {part!r}"
    return tuple(size), tuple(stride)


def strided_problems(exercise: Exercise, judge: Strided, answer: Any) -> list[Problem]:
    target = judge.target
    parsed = strided_answer(answer)
    if isinstance(parsed, str):
        return [Problem(ProblemKind.WRONG_TYPE, parsed + ". Return the pair (size, stride).")]
    size, stride = parsed
    call = f"input.as_strided(size={size}, stride={stride})"
    numel = 1
    for s in size:
        numel *= s
    if len(size) != len(stride) or numel > 1_000_000:
        return [
            Problem(
                ProblemKind.WRONG_SHAPE,
                f"{call}: size and stride need one entry per output axis, and the output "
                f"should have shape {tuple(target.shape)}.",
                call=call,
            )
        ]
    try:
        actual = judge.input.as_strided(size, stride)
    except (RuntimeError, ValueError, TypeError, OverflowError) as error:
        message = str(error).split("\n")[0]
        return [Problem(ProblemKind.WRONG_VALUES, f"{call} fails: {message}", call=call)]
    mismatch = compare(actual, target, exercise.output)
    if mismatch is None:
        return []
    if target.dim() == 2 and torch.equal(actual, target.T):
        message = (
            f"{call}: this is the target transposed. Swap the two entries of size, and of "
            f"stride, to walk the rows first ({mismatch.message})"
        )
        return [
            Problem(mismatch.kind, message, call=call, details=mismatch.details,
                    mistake="transposed output")
        ]  # fmt: skip
    return [
        Problem(mismatch.kind, f"{call}: {mismatch.message}", call=call, details=mismatch.details)
    ]


def normalise_letter(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip().strip("().").strip().lower() or None


def question_problems(question: Question, value: Any) -> list[Problem]:
    letters = [opt.letter for opt in question.options]
    answer = normalise_letter(value)
    if answer is None:
        return [
            Problem(
                ProblemKind.WRONG_TYPE,
                f"answer with the letter of an option as a string ({', '.join(letters)}), "
                f"got {describe_value(value)}.",
            )
        ]
    if answer not in letters:
        return [
            Problem(ProblemKind.WRONG_VALUES, f"{answer!r} is not one of the options {letters}.")
        ]
    if answer != correct_letter(question):
        return [
            Problem(
                ProblemKind.WRONG_VALUES,
                f"{answer!r} is not what this torch does. Run the snippet in a cell, look at the "
                "value and its dtype, and compare with each option.",
            )
        ]
    return []
