"""Shared mistakes: submissions whose failures of an exercise are the same.

Two failures are the same when the checker recognised the same named mistake (`Problem.mistake`,
e.g. "population standard deviation"), or, with no name, when the first failing problem is the
same: same kind, same call, same details (so the same wrong values on the same probe) and the
same message once line numbers, which differ from file to file, are taken out. A group needs at
least two submissions. A submission with two named mistakes in one exercise is in both groups.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.grading.model import Graded
from tensorlings.vocab import Status

_WHERE = re.compile(r"\b(?:cell \d+, )?lines? \d+(?:[-–]\d+)?\b")
# The same place with its connecting words, taken out of a title: each member's line differs,
# and a title never shows a line it cannot know ("at line ?").
_WHERE_PHRASE = re.compile(
    r"\s*\(\s*(?:at |on |in )?(?:cell \d+, )?lines? \d+(?:[-–]\d+)?\s*\)"
    r"|,?\s*\b(?:at |on |in )?(?:cell \d+, )?lines? \d+(?:[-–]\d+)?\b"
)
_VOLATILE_DETAILS = ("line", "lines", "seconds", "duration_s")


@dataclass(frozen=True)
class SharedMistake:
    exercise: str
    mistake: str  # the named mistake, or a description of the identical failure
    named: bool
    kind: str
    submissions: tuple[str, ...]  # every submission that made it, sorted
    example_submission: str
    example_message: str
    example_call: str | None

    @property
    def count(self) -> int:
        return len(self.submissions)


def mistake_keys(result: ExerciseResult) -> list[tuple[str, Problem]]:
    """What makes this failure the same as another's, with the problem that shows it: each
    named mistake it has, or else its first failing problem."""
    failing = [p for p in result.problems if p.fails]
    if result.status != Status.FAILED or not failing:
        return []
    named = {f"mistake\0{p.mistake}": p for p in reversed(failing) if p.mistake}
    if named:
        return sorted(named.items())
    first = failing[0]
    details = {k: v for k, v in first.details.items() if k not in _VOLATILE_DETAILS}
    same = json.dumps([first.kind, first.call, details, _WHERE.sub("line ?", first.message)],
                      sort_keys=True, default=str)  # fmt: skip
    return [(f"output\0{same}", first)]


def describe(problem: Problem) -> str:
    """A short description of an unnamed failure, for the instructor."""
    if problem.mistake:
        return problem.mistake
    what = problem.kind.replace("_", " ")
    on = f" on {problem.call}" if problem.call else ""
    details = problem.details
    if "actual_at_first" in details:
        index = details.get("first_index")
        return (
            f"same {what}{on}: got {details['actual_at_first']} where "
            f"{details.get('expected_at_first')} is expected (index {index})"
        )
    message = _WHERE_PHRASE.sub("", problem.message).strip()
    if problem.call and message.startswith(problem.call):
        message = message[len(problem.call) :].lstrip(": ")  # the title names the call once
    return f"same {what}{on}: {message[:160]}"


def shared_mistakes(graded: Sequence[Graded]) -> list[SharedMistake]:
    """Every group of two or more submissions with the same failure, largest first."""
    groups: dict[tuple[str, str], list[tuple[str, Problem]]] = {}
    order: list[str] = []
    for item in sorted(graded, key=lambda g: g.submission):
        for result in item.report.exercises:
            if result.id not in order:
                order.append(result.id)
            for key, problem in mistake_keys(result):
                groups.setdefault((result.id, key), []).append((item.submission, problem))
    shared = [
        SharedMistake(
            exercise=exercise,
            mistake=describe(members[0][1]),
            named=key.startswith("mistake\0"),
            kind=members[0][1].kind,
            submissions=tuple(name for name, _ in members),
            example_submission=members[0][0],
            example_message=members[0][1].message,
            example_call=members[0][1].call,
        )
        for (exercise, key), members in groups.items()
        if len(members) >= 2
    ]
    return sorted(shared, key=lambda m: (-m.count, order.index(m.exercise), m.mistake))
