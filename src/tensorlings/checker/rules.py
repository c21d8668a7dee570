"""Enforce an exercise's rules on what the learner's code did (calls) and contains (AST)."""

from __future__ import annotations

from collections.abc import Mapping

from tensorlings import rule_apis
from tensorlings.checker import static
from tensorlings.checker.facts import Facts
from tensorlings.checker.results import Problem
from tensorlings.exercise import Call, Exercise
from tensorlings.vocab import ProblemKind

USED = "used:"  # `used:<first name of a required call>`: its result reached the returned value
# The worker ran the call again with the required call's results changed (worker/intervention.py):
# the returned value changed, or it did not. Where it could tell, that decides, not the marks.
CHANGED, UNCHANGED = "changed:", "unchanged:"
VIA = "_via:"  # `_via:<name>`: a library made the call for the learner's code (recorder.py)
IN = "_in:"  # `_in:<exercise>:<name>`: made inside another exercise's function (recorder.py)
AT = "_at:"  # `_at:<name>#<line>[#<helper>]`: where the learner's code first made it
# Never a call of the learner's own: events the checker adds, and indexing.
_NOT_CALLS = ("_", USED, CHANGED, UNCHANGED)
# Events recorded beside the call they come from (`x[idx]` is also `__getitem__`, `x * mask`
# also `*`): the call itself is what "only" judges.
_DERIVED = ("int_tensor_index", "setitem", "bool_mask_multiply")


def call_problems(
    exercise: Exercise, calls: Mapping[str, int], judge_missing: bool = True
) -> list[Problem]:
    """Forbidden, outside `only` and missing calls. A forbidden call counts wherever the
    learner's code made it, inside another exercise's function too (no laundering through a
    neighbour); outside `only`, a call counts only where this exercise's own code made it."""
    rules = exercise.rules
    seen = _Seen(calls)
    problems = []
    for rule in rules.forbidden:
        used = sorted(name for name in rule.names if seen.forbidden(name))
        if used:
            problems.append(
                Problem(
                    ProblemKind.FORBIDDEN_CALL,
                    f"{exercise.id} called {seen.listed(used)}, but this exercise forbids "
                    f"{rule.label}. Build the result from more basic operations.",
                    line=seen.line(used),
                    details={"calls": used},
                )
            )
    if rules.only is not None:
        problems += _only_problems(exercise, seen, problems)
    for rule in rules.required if judge_missing else ():
        problems += _missing(exercise, rule, calls)
    return problems


def _only_problems(exercise: Exercise, seen: _Seen, forbidden: list[Problem]) -> list[Problem]:
    """Calls outside `only`, less those already reported as forbidden (one problem a call)."""
    rules = exercise.rules
    allowed = {*(rules.only or ()), *rule_apis.INSPECTION, *rules.exempt}
    reported = {name for problem in forbidden for name in problem.details.get("calls", ())}
    extra = sorted(
        name
        for name, count in seen.own.items()
        if count > 0 and name not in allowed and name not in reported and name not in _DERIVED
    )
    if not extra:
        return []
    return [
        Problem(
            ProblemKind.FORBIDDEN_CALL,
            f"{exercise.id} may only call {rules.only_words()}, but it also called "
            f"{seen.listed(extra)}. {rules.only_advice}",
            line=seen.line(extra),
            details={"calls": extra},
        )
    ]


def _missing(exercise: Exercise, rule: Call, calls: Mapping[str, int]) -> list[Problem]:
    if not any(calls.get(name) for name in rule.names):
        return [
            Problem(
                ProblemKind.MISSING_CALL,
                f"{exercise.id} must use {rule.label}, and it never did while it was checked.",
                details={"required": list(rule.names)},
            )
        ]
    if not _contributed(calls, rule.names[0]):
        return [
            Problem(
                ProblemKind.MISSING_CALL,
                f"{exercise.id} calls {rule.label}, but what it computes never reaches "
                "the returned value. The required call must do the work, not be made "
                "on the side.",
                details={"required": list(rule.names), "contributed": False},
            )
        ]
    return []


class _Seen:
    """The recorded calls read for the rules: whose they are and where they were made."""

    def __init__(self, calls: Mapping[str, int]) -> None:
        self.calls = calls
        self.inside: dict[str, dict[str, int]] = {}  # name -> {other exercise: count}
        self.places: dict[str, tuple[int, str]] = {}  # name -> (line, helper)
        for key, count in calls.items():
            if key.startswith(IN) and key.count(":") >= 2:
                owner, _, name = key[len(IN) :].partition(":")
                self.inside.setdefault(name, {})[owner] = count
            elif key.startswith(AT):
                name, _, where = key[len(AT) :].partition("#")
                line, _, helper = where.partition("#")
                if line.isdigit():
                    self.places[name] = (int(line), helper)
        self.own = {
            name: count - sum(self.inside.get(name, {}).values())
            for name, count in calls.items()
            if not name.startswith(_NOT_CALLS)
        }

    def forbidden(self, name: str) -> bool:
        """Made by the learner's code (in any of its functions) or by a library for it."""
        return bool(self.calls.get(name) or self.calls.get(VIA + name))

    def line(self, names: list[str]) -> int | None:
        lines = [self.places[name][0] for name in names if name in self.places]
        return min(lines) if lines else None

    def listed(self, names: list[str]) -> str:
        """`T (line 4, through cumsum())`, `/ (the operator, line 7)`, one name after another."""
        return ", ".join(self._one(name) for name in names)

    def _one(self, name: str) -> str:
        parts = ["the operator"] if name in rule_apis.OPERATORS else []
        line, helper = self.places.get(name, (0, ""))
        if helper:
            parts.append(f"through {helper}() at line {line}")
        elif line:
            parts.append(f"at line {line}")
        owners = [owner for owner in self.inside.get(name, {}) if self.own.get(name, 0) <= 0]
        if owners and not line:
            parts.append(f"inside {owners[0]}(), another exercise's function")
        return f"{name} ({', '.join(parts)})" if parts else name


def _contributed(calls: Mapping[str, int], name: str) -> bool:
    """The required call changed the result on some input where changing it could tell; where
    no run could tell, its result reached the returned value."""
    if calls.get(CHANGED + name) or calls.get(UNCHANGED + name):
        return bool(calls.get(CHANGED + name))
    return bool(calls.get(USED + name))


def _unrecorded_problems(exercise: Exercise, name: str, facts: Facts) -> list[Problem]:
    """A library that computes out of the recorder's sight, reached by an exercise that forbids
    a built-in: its rule could not be judged, so it fails (rule_apis.UNRECORDED_MODULES)."""
    modules = rule_apis.UNRECORDED_MODULES
    return [
        Problem(
            ProblemKind.FORBIDDEN_CALL,
            f"{finding.function} uses {finding.what} (line {finding.line}), which computes "
            f"{modules[finding.what.split('.')[0]]} out of the checker's sight; "
            f"{exercise.id} forbids {', '.join(c.label for c in exercise.rules.forbidden)}, so "
            "it is judged on torch, numpy and einops alone. Build the result with those.",
            line=finding.line,
        )
        for finding in static.module_uses(facts, name, modules, at_load=True)
    ]


def static_problems(exercise: Exercise, name: str, facts: Facts) -> list[Problem]:
    """Loops, forbidden modules and imports of tensorlings' own solutions, in whatever `name`
    is bound to and all it reaches (the file's record of facts, facts.py)."""
    rules = exercise.rules
    problems = []
    if rules.no_loops:
        for finding in static.loops(facts, name):
            problems.append(
                Problem(
                    ProblemKind.USES_LOOP,
                    f"{finding.what} in {finding.function} (line {finding.line}); this exercise "
                    "must be vectorised: let one tensor operation handle every element.",
                    line=finding.line,
                )
            )
    if rules.forbidden_modules:
        for finding in static.module_uses(facts, name, rules.forbidden_modules):
            problems.append(
                Problem(
                    ProblemKind.FORBIDDEN_CALL,
                    f"{finding.function} uses {finding.what} (line {finding.line}); this "
                    f"exercise forbids {', '.join(rules.forbidden_modules)}. "
                    f"{rules.modules_advice}",
                    line=finding.line,
                )
            )
    if rules.forbidden:
        problems.extend(_unrecorded_problems(exercise, name, facts))
    own = static.module_uses(facts, name, static.OWN_SOLUTIONS)
    for finding in own:
        problems.append(
            Problem(
                ProblemKind.FORBIDDEN_IMPORT,
                f"{finding.function} uses {finding.what} (line {finding.line}): the reference "
                "solutions are not yours to import. Write the function yourself.",
                line=finding.line,
            )
        )
    return problems
