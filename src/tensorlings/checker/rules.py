"""Enforce an exercise's rules on what the learner's code did (calls) and contains (AST)."""

from __future__ import annotations

from collections.abc import Mapping

from tensorlings import rule_apis
from tensorlings.checker import static
from tensorlings.checker.facts import Facts
from tensorlings.checker.results import Problem
from tensorlings.exercise import Exercise
from tensorlings.vocab import ProblemKind

# Asking about a tensor or printing it never counts against "only these calls".
INSPECTION = frozenset(
    {
        "shape", "dtype", "device", "size", "dim", "ndim", "numel", "nelement", "len", "repr",
        "str", "format", "requires_grad", "is_leaf", "grad_fn", "grad", "layout", "stride",
        "storage_offset", "is_contiguous", "is_floating_point", "is_complex", "names", "T",
        "data", "bool", "index", "hash", "iter", "contains", "tolist", "item", "is_cuda",
        # Switching gradients on or off (@torch.no_grad() on the function) computes nothing.
        "set_grad_enabled", "is_grad_enabled",
    }
)  # fmt: skip


USED = "used:"  # `used:<first name of a required call>`: its result reached the returned value
# The worker ran the call again with the required call's results changed (worker/intervention.py):
# the returned value changed, or it did not. Where it could tell, that decides, not the marks.
CHANGED, UNCHANGED = "changed:", "unchanged:"
VIA = "_via:"  # `_via:<name>`: a library made the call for the learner's code (recorder.py)


def call_problems(
    exercise: Exercise, calls: Mapping[str, int], judge_missing: bool = True
) -> list[Problem]:
    rules = exercise.rules
    problems = []
    for rule in rules.forbidden:
        used = sorted(name for name in rule.names if calls.get(name) or calls.get(VIA + name))
        if used:
            problems.append(
                Problem(
                    ProblemKind.FORBIDDEN_CALL,
                    f"{exercise.id} called {', '.join(used)}, but this exercise forbids "
                    f"{rule.label}. Build the result from more basic operations.",
                    details={"calls": used},
                )
            )
    if rules.only is not None:
        allowed = set(rules.only) | INSPECTION
        extra = sorted(
            name
            for name in calls
            if name not in allowed and not name.startswith(("_", USED, CHANGED, UNCHANGED))
        )
        extra = [name for name in extra if name not in ("int_tensor_index", "setitem")]
        if extra:
            problems.append(
                Problem(
                    ProblemKind.FORBIDDEN_CALL,
                    f"{exercise.id} may only call {', '.join(rules.only)}, but it also called "
                    f"{', '.join(extra)}. Let the arguments of arange and the rearrange pattern "
                    "do that work.",
                    details={"calls": extra},
                )
            )
    for rule in rules.required if judge_missing else ():
        if not any(calls.get(name) for name in rule.names):
            problems.append(
                Problem(
                    ProblemKind.MISSING_CALL,
                    f"{exercise.id} must use {rule.label}, and it never did while it was checked.",
                    details={"required": list(rule.names)},
                )
            )
        elif not _contributed(calls, rule.names[0]):
            problems.append(
                Problem(
                    ProblemKind.MISSING_CALL,
                    f"{exercise.id} calls {rule.label}, but what it computes never reaches "
                    "the returned value. The required call must do the work, not be made "
                    "on the side.",
                    details={"required": list(rule.names), "contributed": False},
                )
            )
    return problems


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
                    f"exercise forbids {', '.join(rules.forbidden_modules)}: draw the randomness "
                    "with torch.",
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
