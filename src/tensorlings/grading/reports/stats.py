"""Counts every class report shares: per exercise, per problem kind, per submission."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tensorlings.checker.results import ExerciseResult
from tensorlings.grading.model import Graded
from tensorlings.vocab import Status


@dataclass(frozen=True)
class ExerciseStats:
    """How the class did on one exercise."""

    id: str
    section: str
    passed: int = 0
    failed: int = 0
    not_started: int = 0
    unchecked: int = 0  # submissions with no result for it (the file could not be checked)
    kinds: tuple[tuple[str, int], ...] = ()  # failing problem kinds, most common first

    @property
    def submissions(self) -> int:
        return self.passed + self.failed + self.not_started + self.unchecked

    @property
    def attempted(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float:
        """Passed, out of every submission."""
        return self.passed / self.submissions if self.submissions else 0.0

    @property
    def fail_share(self) -> float:
        """Failed, out of the submissions that tried it."""
        return self.failed / self.attempted if self.attempted else 0.0


def exercise_order(graded: Sequence[Graded]) -> list[tuple[str, str]]:
    """(id, section) of every exercise in any report, in the order the reports list them."""
    seen: dict[str, str] = {}
    for item in graded:
        for result in item.report.exercises:
            seen.setdefault(result.id, result.section)
    return list(seen.items())


def failing_kinds(result: ExerciseResult) -> list[str]:
    """The distinct kinds of the problems that fail this exercise, first seen first."""
    return list(dict.fromkeys(p.kind for p in result.problems if p.fails))


def exercise_stats(graded: Sequence[Graded]) -> list[ExerciseStats]:
    """One entry per exercise, in exercise order; every submission counts once in each."""
    stats = []
    tables = [results_by_id(item) for item in graded]
    for exercise_id, section in exercise_order(graded):
        statuses: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        for table in tables:
            result = table.get(exercise_id)
            statuses[result.status if result else "unchecked"] += 1
            if result is not None and result.status == Status.FAILED:
                kinds.update(failing_kinds(result))
        stats.append(
            ExerciseStats(
                exercise_id,
                section,
                passed=statuses["passed"],
                failed=statuses["failed"],
                not_started=statuses["not_started"],
                unchecked=statuses["unchecked"],
                kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
            )
        )
    return stats


def results_by_id(graded: Graded) -> dict[str, ExerciseResult]:
    return {result.id: result for result in graded.report.exercises}


def hardest(stats: Sequence[ExerciseStats], count: int = 10) -> list[ExerciseStats]:
    """The exercises failed most often by those who tried them."""
    tried = [s for s in stats if s.failed]
    return sorted(tried, key=lambda s: (-s.fail_share, -s.failed))[:count]
