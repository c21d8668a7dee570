"""Does the reference pass the full checker and obey its own rules?

The reference is run as the reference workbook would define it (its source and the module
helpers it needs, compiled here under a file name of its own), so that the recorder sees its
calls exactly as it sees a learner's: einops calls included, helpers of its own file counted.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from typing import Any

import torch

from tensorlings.authoring.findings import SoundnessFinding
from tensorlings.authoring.judging import einops_recorded, run_probe
from tensorlings.checker import facts_reader, rules
from tensorlings.checker.compare import compare
from tensorlings.checker.probes import Probe, plan
from tensorlings.checker.results import Problem
from tensorlings.checker.strategies import strategy_for
from tensorlings.exercise import Exercise
from tensorlings.workbook import HEADER_IMPORTS, ReferenceSource


def _finding(exercise: Exercise, kind: str, message: str, advice: str) -> SoundnessFinding:
    return SoundnessFinding(exercise.id, kind, message, advice)


def compiled_reference(exercise: Exercise) -> tuple[Callable[..., Any], str, ast.Module]:
    """The reference as the reference workbook defines it: (function, its file name, tree).

    A reference the workbook cannot write out (a lambda, a function made by a factory) is
    judged as it is, in its own file, with that file's syntax tree for the static rules."""
    try:
        return _compiled(exercise)
    except Exception:  # not writable as workbook source: judge the live function instead
        solution = exercise.solution
        filename = solution.__code__.co_filename
        try:
            tree = ast.parse(inspect.getsource(inspect.getmodule(solution) or solution))
        except (OSError, TypeError, SyntaxError):
            tree = ast.Module(body=[], type_ignores=[])
        return solution, filename, tree


def _compiled(exercise: Exercise) -> tuple[Callable[..., Any], str, ast.Module]:
    code = HEADER_IMPORTS + "\n" + ReferenceSource().code(exercise)
    filename = f"<reference of {exercise.id}>"
    tree = ast.parse(code, filename)
    # A reference may call another exercise's reference from a sibling section file (imported
    # there): the reference workbook defines every reference in one file, so here the module's
    # functions stand in for those the code does not define itself (its own win, being later).
    namespace: dict[str, Any] = {
        name: value
        for name, value in getattr(exercise.solution, "__globals__", {}).items()
        if inspect.isfunction(value) and not name.startswith("__")
    }
    namespace["__name__"] = f"tensorlings_reference_{exercise.id}"
    exec(compile(tree, filename, "exec"), namespace)  # our own reference code, never a learner's
    return namespace[exercise.solution.__name__], filename, tree


def reference_findings(exercise: Exercise, probes: list[Probe]) -> list[SoundnessFinding]:
    """Findings about the reference of one exercise (none when it is sound)."""
    judged_whole = strategy_for(exercise.judge).reference_problems(exercise)
    if judged_whole is not None:  # answers, samplers: judged as a learner's would be
        return _answer_findings(exercise, judged_whole)
    return _example_findings(exercise) + _call_findings(exercise, probes)


def _answer_findings(exercise: Exercise, problems: list[Problem]) -> list[SoundnessFinding]:
    return [
        _finding(
            exercise,
            "reference_fails",
            f"the reference fails its own checker: {p.kind}: {p.message}",
            "Fix the reference (or the exercise's target) so that the two agree.",
        )
        for p in problems
        if p.fails
    ]


def _example_findings(exercise: Exercise) -> list[SoundnessFinding]:
    """The checker compares with the reference's own outputs, so the sheet's expected values
    are checked here: a reference that disagrees with its own example misleads everyone."""
    found = []
    for n, example in enumerate(exercise.examples, start=1):
        if not isinstance(example.expected, torch.Tensor):
            continue
        with torch.no_grad():
            actual = exercise.solution(*[_copy(a) for a in example.args])
        mismatch = compare(actual, example.expected, exercise.output)
        if mismatch is not None:
            found.append(
                _finding(
                    exercise,
                    "reference_fails",
                    f"the reference disagrees with the sheet's example {n}: {mismatch.message}",
                    "Fix the reference or the example's expected value; learners are judged "
                    "against the reference.",
                )
            )
    return found


def _copy(value: Any) -> Any:
    return value.clone() if isinstance(value, torch.Tensor) else value


def _call_findings(exercise: Exercise, probes: list[Probe]) -> list[SoundnessFinding]:
    """Every probe, as the checker runs the reference workbook: problems, calls, then rules."""
    with einops_recorded():
        function, filename, tree = compiled_reference(exercise)
        calls: dict[str, int] = {}
        problems: list[Problem] = []
        for probe in probes:
            judged = run_probe(exercise, function, probe, record_file=filename)
            problems += [p for p in judged.problems if p.fails]
            for name, count in judged.calls.items():
                calls[name] = calls.get(name, 0) + count
    found = _answer_findings(exercise, problems[:1])
    problems = rules.call_problems(exercise, calls)
    facts = facts_reader.build(tree.body).aliased(exercise.id, exercise.solution.__name__)
    problems += rules.static_problems(exercise, exercise.id, facts)
    return found + [
        _finding(
            exercise,
            "reference_breaks_rules",
            f"the reference breaks the exercise's own rules: {p.kind}: {p.message}",
            "Rewrite the reference within the rules, or relax the rules: a learner cannot be "
            "held to rules the reference does not keep.",
        )
        for p in problems
        if p.fails
    ]


def planned(exercise: Exercise, seed: int) -> tuple[list[Probe], list[SoundnessFinding]]:
    """The exercise's probes, or the finding that the reference cannot even make them."""
    if not strategy_for(exercise.judge).compares_outputs:
        return [], []
    try:
        return plan(exercise, seed), []
    except Exception as error:  # the reference raised on its own cases or examples
        return [], [
            _finding(
                exercise,
                "reference_fails",
                f"the reference raised {type(error).__name__} on its own inputs while the "
                f"probes were made: {error}",
                "Run the reference on the examples and on its random cases (the case maker's "
                "sizes and dtypes) and fix whichever is wrong.",
            )
        ]
