"""Section 3: weekly statistics of daily temperatures with einops.reduce."""

from __future__ import annotations

import torch
from einops import rearrange, reduce

from tensorlings.exercise import Draw, Example, Exercise, Mistake, RandomCases

SECTION = "Weekly temperatures with reduce"

DAYS_PER_WEEK = 7

_SHEET_TEMPS = torch.tensor(
    [71, 72, 70, 75, 71, 72, 70, 68, 65, 60, 68, 60, 55, 59, 75, 80, 85, 80, 78, 72, 83],
    dtype=torch.float32,
)


def _weekly(temps: torch.Tensor) -> torch.Tensor:
    """View the daily temperatures as one row per week: (7 * weeks,) -> (weeks, 7)."""
    return rearrange(temps, "(week day) -> week day", day=DAYS_PER_WEEK)


def _daily(weekly: torch.Tensor) -> torch.Tensor:
    """Undo `_weekly`: (weeks, 7) -> (7 * weeks,)."""
    return rearrange(weekly, "week day -> (week day)")


def _centered(weekly: torch.Tensor) -> torch.Tensor:
    """Each day minus the mean of its week, still one row per week."""
    return weekly - reduce(weekly, "week day -> week 1", "mean")


def temperatures_average(temps: torch.Tensor) -> torch.Tensor:
    return reduce(temps, "(week day) -> week", "mean", day=DAYS_PER_WEEK)


def temperatures_differences(temps: torch.Tensor) -> torch.Tensor:
    return _daily(_centered(_weekly(temps)))


def temperatures_normalized(temps: torch.Tensor) -> torch.Tensor:
    centered = _centered(_weekly(temps))
    # The unbiased (n - 1) variance, which is torch.std's default, written out because torch.std
    # warns about "degrees of freedom" on an input with no weeks at all.
    variance = reduce(centered**2, "week day -> week 1", "sum") / (DAYS_PER_WEEK - 1)
    return _daily(centered / variance.sqrt())


def _make_temps(d: Draw) -> tuple[torch.Tensor]:
    # Uniform draws make a week with zero spread (and so a division by zero) practically impossible.
    return (d.uniform(40, 100, DAYS_PER_WEEK * d.sizes["weeks"]),)


_CASES = RandomCases(
    make=_make_temps,
    sizes={"weeks": (0, 6)},
    dtypes=(torch.float32,),
    other_dtypes=(torch.float64,),
    grad_args=(0,),
)

# What learners get wrong, written as the code that does it.
_INTERLEAVED = Mistake(
    "grouping every 7th day together",
    "The pattern '(day week)' puts days 0, weeks, 2*weeks, ... in one group, but a week is 7 "
    "consecutive days: split the axis as '(week day)'.",
    lambda temps: reduce(temps, "(day week) -> week", "mean", day=DAYS_PER_WEEK),
)
_WEEKLY_NO_KEEPDIM = Mistake(
    "a weekly mean without keepdim",
    "weekly.mean(dim=1) has shape (weeks,), which does not line up with the (weeks, 7) table "
    "(or lines up with its columns when there are 7 weeks). Keep the axis: "
    "mean(dim=1, keepdim=True), or reduce with the pattern 'week day -> week 1'.",
    lambda temps: _daily(_weekly(temps) - _weekly(temps).mean(dim=1)),
)
_SUM_NOT_MEAN = Mistake(
    "the sum instead of the mean",
    "Each week's average is its sum divided by 7: reduce with 'mean', not 'sum'.",
    lambda temps: reduce(temps, "(week day) -> week", "sum", day=DAYS_PER_WEEK),
)
_OVERALL_MEAN = Mistake(
    "the mean of all the days",
    "Each day must lose the average of its own week, not the average of every day: reduce "
    "per week, then line each week's average up with its seven days.",
    lambda temps: temps - temps.mean(),
)


def _not_centered(temps: torch.Tensor) -> torch.Tensor:
    weekly = _weekly(temps)
    return _daily(weekly / weekly.std(dim=1, keepdim=True))


def _population_normalized(temps: torch.Tensor) -> torch.Tensor:
    weekly = _weekly(temps)
    centered = weekly - weekly.mean(dim=1, keepdim=True)
    return _daily(centered / weekly.std(dim=1, unbiased=False, keepdim=True))


def _normalized_by_variance(temps: torch.Tensor) -> torch.Tensor:
    weekly = _weekly(temps)
    centered = weekly - weekly.mean(dim=1, keepdim=True)
    return _daily(centered / weekly.var(dim=1, keepdim=True))


def _normalized_overall(temps: torch.Tensor) -> torch.Tensor:
    weekly = _weekly(temps)
    return _daily((weekly - weekly.mean(dim=1, keepdim=True)) / temps.std())


_NORMALIZED_MISTAKES = (
    Mistake(
        "the population standard deviation",
        "torch.std divides by n - 1 (the sample standard deviation) unless told otherwise; "
        "dividing by n, as np.std or unbiased=False/correction=0 does, gives smaller spreads and "
        "so larger values (-0.3592 instead of -0.3326 on the sheet's first day). Use torch.std "
        "with its default.",
        _population_normalized,
    ),
    Mistake(
        "dividing without subtracting the mean",
        "Normalising is two steps: subtract each week's mean first, then divide by its "
        "standard deviation.",
        _not_centered,
    ),
    Mistake(
        "a weekly standard deviation without keepdim",
        "weekly.std(dim=1) has shape (weeks,), which does not line up with the (weeks, 7) table "
        "(or lines up with its columns when there are 7 weeks). Keep the axis: "
        "std(dim=1, keepdim=True).",
        lambda temps: _daily(
            (_weekly(temps) - _weekly(temps).mean(dim=1, keepdim=True)) / _weekly(temps).std(dim=1)
        ),
    ),
    Mistake(
        "dividing by the variance",
        "The variance is the square of the standard deviation: take its square root, or use "
        "torch.std.",
        _normalized_by_variance,
    ),
    Mistake(
        "the standard deviation of all the days",
        "Each week is divided by its own standard deviation: reduce per week (with a length-1 "
        "axis kept for broadcasting), not over the whole tensor.",
        _normalized_overall,
    ),
)
_SHAPES = {"temps": "(7 * weeks,)", "returns": "(7 * weeks,)"}

_INPUT_TEXT = (
    "`temps` is a 1-D floating-point tensor of shape (7 * weeks,): the first seven entries are "
    "the days of week 0, the next seven the days of week 1, and so on. Zero weeks (an empty "
    "tensor) lies beyond the sheet, but a robust solution handles it too."
)

EXERCISES = (
    Exercise(
        id="temperatures_average",
        section=SECTION,
        title="Average temperature per week",
        prompt=(
            f"{_INPUT_TEXT}\n\n"
            "Return a tensor of shape (weeks,), with the same dtype as `temps`, holding the mean "
            "temperature of each week. It must work for any number of weeks."
        ),
        solution=temperatures_average,
        hints=(
            "If the days were laid out as a (weeks, 7) table, which axis would you average over?",
            "einops.reduce can split an axis and reduce part of it in the same pattern. "
            "How do you tell it that each group has 7 days?",
            "Try reduce(temps, '(week day) -> week', 'mean', day=7).",
        ),
        examples=(Example((_SHEET_TEMPS,), torch.tensor([71.5714, 62.1429, 79.0])),),
        cases=_CASES,
        mistakes=(_INTERLEAVED, _SUM_NOT_MEAN),
        shapes={"temps": "(7 * weeks,)", "returns": "(weeks,)"},
    ),
    Exercise(
        id="temperatures_differences",
        section=SECTION,
        title="Difference from the weekly average",
        prompt=(
            f"{_INPUT_TEXT}\n\n"
            "Return a tensor with the same shape and dtype as `temps` in which every day has had "
            "the average of its own week subtracted."
        ),
        solution=temperatures_differences,
        hints=(
            "You already know how to get one average per week. How do you line each average "
            "up with the seven days it belongs to?",
            "Broadcasting works on a (weeks, 7) table and a (weeks, 1) column. Which einops "
            "patterns take you to that table and back to a flat vector?",
            "einops.repeat(averages, 'week -> (week day)', day=7) gives one average per day.",
        ),
        examples=(
            Example(
                (_SHEET_TEMPS,),
                torch.tensor(
                    [
                        [-0.5714, 0.4286, -1.5714, 3.4286, -0.5714, 0.4286, -1.5714],
                        [5.8571, 2.8571, -2.1429, 5.8571, -2.1429, -7.1429, -3.1429],
                        [-4.0, 1.0, 6.0, 1.0, -1.0, -7.0, 4.0],
                    ]
                ).flatten(),
            ),
        ),
        cases=_CASES,
        shapes=_SHAPES,
        mistakes=(_OVERALL_MEAN, _WEEKLY_NO_KEEPDIM),
    ),
    Exercise(
        id="temperatures_normalized",
        section=SECTION,
        title="Normalising each week",
        prompt=(
            f"{_INPUT_TEXT}\n\n"
            "Return a tensor with the same shape and dtype as `temps` in which every day has "
            "had its week's mean subtracted and has then been divided by its week's standard "
            "deviation. Use the sample standard deviation (dividing by n - 1), which is what "
            "torch.std computes unless told otherwise."
        ),
        solution=temperatures_normalized,
        hints=(
            "This is the previous exercise followed by one more division. What is the divisor "
            "for each day?",
            "einops.reduce accepts a function as well as a name like 'mean': what happens if "
            "you give it torch.std?",
            "reduce(weekly, 'week day -> week 1', torch.std) keeps a length-1 axis ready for "
            "broadcasting. If day one comes out as -0.3592 instead of -0.3326, you divided by "
            "the population standard deviation.",
        ),
        examples=(
            Example(
                (_SHEET_TEMPS,),
                torch.tensor(
                    [
                        [-0.3326, 0.2494, -0.9146, 1.9954, -0.3326, 0.2494, -0.9146],
                        [1.1839, 0.5775, -0.4331, 1.1839, -0.4331, -1.4438, -0.6353],
                        [-0.8944, 0.2236, 1.3416, 0.2236, -0.2236, -1.5652, 0.8944],
                    ]
                ).flatten(),
            ),
        ),
        cases=_CASES,
        shapes=_SHAPES,
        mistakes=_NORMALIZED_MISTAKES,
    ),
)
