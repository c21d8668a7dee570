"""The optional grading config (TOML): points per exercise, what a note costs, Gradescope's
visibility settings.

    # grading.toml
    [weights]                 # points per exercise; one not listed is worth `default`
    default = 1
    my_hardest_exercise = 3

    [notes]
    edge_case_cost = 0.25     # share of its points a passed exercise with an edge-case note loses
    timing_advice = false     # the coach's "× slower" advice in the reports (it never scores)

    [gradescope]
    visibility = "after_published"   # each test: visible, hidden, after_due_date, after_published
    summary_visibility = "visible"   # of the whole result
    stdout_visibility = "hidden"     # of the autograder's own output

    [feedback]
    inputs = "full"           # how each student's feedback file shows a failing input:
                              # "full" (the call as the checker shows it), "shape" (tensors as
                              # their shape), "none" (the function's name only)

Every key is optional; no config gives one point per exercise and notes that cost nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from enum import Enum
from pathlib import Path
from typing import Any

from tensorlings.grading.errors import GradingError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class FeedbackInputs(str, Enum):
    """How much of a failing input a student's feedback file shows."""

    FULL = "full"  # the call as the checker wrote it, every value
    SHAPE = "shape"  # each tensor written as its shape, other arguments as they are
    NONE = "none"  # the function's name only


_SECTIONS = {
    "weights": None,  # any exercise id
    "notes": ("edge_case_cost", "timing_advice"),
    "gradescope": ("visibility", "summary_visibility", "stdout_visibility"),
    "feedback": ("inputs",),
}


@dataclass(frozen=True)
class GradingConfig:
    """How points are given; the defaults are those of a run without a config."""

    default_weight: float = 1.0
    weights: tuple[tuple[str, float], ...] = ()  # (exercise id, points), as the config lists them
    edge_case_cost: float = 0.0  # share of an exercise's points lost to an edge-case note
    # Timing depends on the machine: its advice is measured and reported only when asked.
    timing_advice: bool = False
    visibility: str = "visible"
    summary_visibility: str = "visible"
    stdout_visibility: str = "hidden"
    feedback_inputs: FeedbackInputs = FeedbackInputs.FULL
    source: str | None = None  # the file it was read from

    def weight(self, exercise_id: str) -> float:
        return dict(self.weights).get(exercise_id, self.default_weight)

    def unknown_exercises(self, known: Sequence[str]) -> list[str]:
        """Weights given for ids that are not exercises, each with a 'did you mean'."""
        wrong = []
        for exercise_id, _ in self.weights:
            if exercise_id not in known:
                close = get_close_matches(exercise_id, known, n=1)
                wrong.append(
                    f"{exercise_id!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                )
        return wrong

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "default_weight": self.default_weight,
            "weights": dict(self.weights),
            "edge_case_cost": self.edge_case_cost,
            "timing_advice": self.timing_advice,
            "gradescope": {
                "visibility": self.visibility,
                "summary_visibility": self.summary_visibility,
                "stdout_visibility": self.stdout_visibility,
            },
            "feedback": {"inputs": self.feedback_inputs.value},
        }


def load_config(path: Path | str | None) -> GradingConfig:
    """The config in the file, or the defaults for None; GradingError says what is wrong."""
    if path is None:
        return GradingConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GradingError(
            f"cannot read the grading config {str(path)!r}: {error.strerror or error}"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GradingError(
            f"the grading config {str(path)!r} is not valid TOML ({error}); "
            "see docs/instructors/config.md for an example"
        ) from None
    return parse_config(data, source=str(path))


def parse_config(data: Mapping[str, Any], *, source: str = "the grading config") -> GradingConfig:
    """The config from parsed TOML data; every value is checked, with the rule it broke."""
    where = f"grading config {source!r}"
    for section, value in data.items():
        if section not in _SECTIONS:
            raise GradingError(
                f"{where}: unknown section [{section}]; the sections are "
                + ", ".join(f"[{s}]" for s in _SECTIONS)
            )
        if not isinstance(value, dict):
            raise GradingError(f"{where}: {section} must be a table, written [{section}]")
        allowed = _SECTIONS[section]
        for key in value:
            if allowed is not None and key not in allowed:
                raise GradingError(
                    f"{where}: unknown key {key!r} in [{section}]; allowed: " + ", ".join(allowed)
                )
    weights = dict(data.get("weights", {}))
    default = _number(where, "weights", "default", weights.pop("default", 1.0), 0, None)
    pairs = tuple(
        (str(key), _number(where, "weights", key, value, 0, None)) for key, value in weights.items()
    )
    notes = data.get("notes", {})
    cost = _number(where, "notes", "edge_case_cost", notes.get("edge_case_cost", 0.0), 0, 1)
    timing = notes.get("timing_advice", False)
    if not isinstance(timing, bool):
        raise GradingError(f"{where}: [notes] timing_advice = {timing!r} must be true or false")
    gradescope = data.get("gradescope", {})
    return GradingConfig(
        default_weight=default,
        weights=pairs,
        edge_case_cost=cost,
        timing_advice=timing,
        visibility=_visibility(where, gradescope, "visibility"),
        summary_visibility=_visibility(where, gradescope, "summary_visibility"),
        stdout_visibility=_visibility(where, gradescope, "stdout_visibility", "hidden"),
        feedback_inputs=_feedback_inputs(where, data.get("feedback", {})),
        source=source,
    )


def _feedback_inputs(where: str, section: Mapping[str, Any]) -> FeedbackInputs:
    value = section.get("inputs", FeedbackInputs.FULL.value)
    try:
        return FeedbackInputs(value)
    except ValueError:
        raise GradingError(
            f"{where}: [feedback] inputs = {value!r} must be one of: "
            + ", ".join(repr(choice.value) for choice in FeedbackInputs)
        ) from None


def _number(
    where: str, section: str, key: str, value: Any, low: float, high: float | None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GradingError(f"{where}: [{section}] {key} = {value!r} is not a number")
    if value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise GradingError(f"{where}: [{section}] {key} = {value!r} must be {bounds}")
    return float(value)


def _visibility(where: str, section: Mapping[str, Any], key: str, default: str = "visible") -> str:
    value = section.get(key, default)
    if value not in VISIBILITIES:
        raise GradingError(
            f"{where}: [gradescope] {key} = {value!r} is not one of Gradescope's settings: "
            + ", ".join(VISIBILITIES)
        )
    return str(value)
