"""Judge one exercise end to end: plan probes, run them in the child, collect problems, shrink."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from tensorlings.checker import coach, mistakes, rules, static
from tensorlings.checker import probes as probe_plans
from tensorlings.checker.facts import Facts
from tensorlings.checker.facts import build as build_facts
from tensorlings.checker.judge import (
    VALUE_KINDS,
    _decode,
    call_text,
    error_problem,
)
from tensorlings.checker.probes import Probe
from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.exercise import Exercise, Family
from tensorlings.judges import Strided
from tensorlings.vocab import CallStatus, ProblemKind, Status
from tensorlings.worker import encoding

MAX_SHRINK_ROUNDS = 4
OUTPUT_SHOWN = 2000


class Runner(Protocol):
    loaded: dict[str, Any]
    workbook: Any
    limits: Any

    def run(
        self, name: str, calls: list[dict[str, Any]], record: bool, seconds: float
    ) -> list[Any]: ...


# Exercise objects are not hashable (they hold mappings): plans are kept by object identity,
# next to the exercise itself so that the identity is never reused while the entry lives.
_PLANS: dict[tuple[int, int], tuple[Exercise, list[Probe]]] = {}
MAX_PLANS = 256


def _planned(exercise: Exercise, seed: int) -> list[Probe]:
    """The probes and reference answers, made once per exercise and seed (watch mode re-checks
    the same exercises again and again). Probes are never modified once made."""
    key = (id(exercise), seed)
    kept = _PLANS.get(key)
    if kept is not None and kept[0] is exercise:
        return kept[1]
    if len(_PLANS) >= MAX_PLANS:
        _PLANS.pop(next(iter(_PLANS)))
    planned = exercise.judge.probes(exercise, seed)
    _PLANS[key] = (exercise, planned)
    return planned


def probe_families(exercise: Exercise) -> frozenset[Family]:
    """The families this exercise has probes of (as planned for seed 0)."""
    return frozenset(p.family for p in _planned(exercise, 0))


def encode_call(probe: Probe, device: str) -> dict[str, Any]:
    call: dict[str, Any] = {
        "args": [encoding.encode(a) for a in probe.args],
        "seed": probe.seed or 0,
        "device": device,
    }
    if probe.grad_args and probe.grad_seed is not None:
        call["grad_args"] = list(probe.grad_args)
        call["grad_seed"] = encoding.encode(probe.grad_seed)
    return call


def _problems_for(
    exercise: Exercise, probe: Probe, result: Any, runner: Runner, device: str
) -> list[Problem]:
    if not isinstance(result, dict):
        return [Problem(ProblemKind.CRASHED, "the worker sent back no result for this call")]
    status = result.get("status")
    if status == CallStatus.CRASHED:
        message = (result.get("error") or {}).get("message", "")
        call = call_text(exercise, probe.args)
        return [
            Problem(
                ProblemKind.CRASHED,
                f"{message} while running {call}. Something in the function ended the process "
                "(os._exit, a crash inside a library, or a limit such as file size or CPU time).",
            )
        ]
    if status in (CallStatus.ERROR, CallStatus.TIMEOUT, CallStatus.MEMORY):
        tensor_globals = runner.loaded.get("tensor_globals", {})
        problem = error_problem(exercise, probe, result, runner.workbook, tensor_globals)
        return [_with_limit(problem, runner.limits)]
    if status == CallStatus.NOT_RUN:
        return [Problem(ProblemKind.NOT_RUN, "not run: an earlier call timed out", fails=False)]
    if status != CallStatus.OK:
        return []
    return exercise.judge.problems(exercise, probe, {**result, "device": device})


def _stamped(problems: list[Problem], exercise: Exercise, probe: Probe) -> list[Problem]:
    """The one place that gives every problem of a probe its call and the seed that repeats it."""
    call = call_text(exercise, probe.args)
    return [
        replace(p, call=p.call or call, seed=p.seed if p.seed is not None else probe.seed)
        for p in problems
    ]


def human_bytes(count: float) -> str:
    """A size as a person writes it: 2 GiB, 512 MiB, 300 KiB."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{int(count)} bytes"


def _with_limit(problem: Problem, limits: Any) -> Problem:
    """Say which limit a timeout or a memory failure hit, in a person's units."""
    if problem.kind == ProblemKind.TIMEOUT:
        limit = f"The limit is {limits.exercise_seconds:g} s per call (--timeout)."
    elif problem.kind == ProblemKind.MEMORY_LIMIT:
        limit = f"The limit is {human_bytes(limits.memory_bytes)} of extra memory (--memory-mb)."
        message = re.sub(r"(\d{5,}) bytes", lambda m: human_bytes(int(m.group(1))), problem.message)
        return replace(problem, message=f"{message} {limit}")
    else:
        return problem
    return replace(problem, message=f"{problem.message} {limit}")


def _run_probes(exercise: Exercise, runner: Runner, probes: list[Probe], device: str) -> Ran:
    calls = [encode_call(p, device) for p in probes]
    results = runner.run(exercise.id, calls, True, runner.limits.exercise_seconds)
    per_probe: list[list[Problem]] = []
    recorded: dict[str, int] = {}
    printed: list[str] = []
    outcomes: list[mistakes.Outcome | None] = []
    for index, probe in enumerate(probes):
        result = results[index] if index < len(results) else None
        outcomes.append(_outcome(result))
        if result is None and per_probe and any(per_probe):
            per_probe.append([])  # a crash earlier in this batch already explains it
            continue
        found = _problems_for(exercise, probe, result, runner, device)
        per_probe.append(_stamped(found, exercise, probe))
        if isinstance(result, dict):
            for name, count in (result.get("calls") or {}).items():
                if isinstance(name, str) and isinstance(count, int):
                    recorded[name] = recorded.get(name, 0) + count
            if result.get("output_text"):
                text = str(result["output_text"])
                shown = probe.family is Family.EXAMPLES and probe.seed is None  # an example
                printed.append(text if shown else without_warnings(text))
    return Ran(per_probe, recorded, printed, outcomes)


def _outcome(result: Any) -> mistakes.Outcome | None:
    """What the learner's call gave, for naming its mistake; None when it is not known."""
    if not isinstance(result, dict):
        return None
    if result.get("status") == "ok":
        return mistakes.Outcome(value=_decode(result.get("output")))
    error = result.get("error")
    if result.get("status") == "error" and isinstance(error, dict):
        return mistakes.Outcome.of_error(str(error.get("type", "")), str(error.get("message", "")))
    return None


@dataclass(frozen=True)
class Ran:
    """What running a batch of probes gave: problems per probe, calls, output, values."""

    problems: list[list[Problem]]
    recorded: dict[str, int]
    printed: list[str]
    outcomes: list[mistakes.Outcome | None]


def _shrink(
    exercise: Exercise, runner: Runner, probe: Probe, problems: list[Problem], device: str
) -> tuple[Probe, list[Problem]]:
    """A smaller input that fails the same way, found by cutting each size down."""
    kind = problems[0].kind
    for _ in range(MAX_SHRINK_ROUNDS):
        candidates = probe_plans.shrink_candidates(exercise, probe)
        if not candidates:
            break
        found = _run_probes(exercise, runner, candidates, device).problems
        failing = [
            (c, f) for c, f in zip(candidates, found, strict=False) if f and f[0].kind == kind
        ]
        if not failing:
            break
        probe, problems = min(failing, key=lambda pair: pair[0].size)
    return probe, problems


def _pick(
    exercise: Exercise,
    runner: Runner,
    probes: list[Probe],
    ran: Ran,
    device: str,
    seed: int,
) -> list[Problem]:
    """The contract's problems; when the contract holds, one edge-case note per family beyond.

    Beyond-the-sheet probes are judged only once the contract holds: until then they mostly
    repeat the same mistake on a stranger input.
    """
    pairs = list(zip(probes, ran.problems, strict=False))
    in_contract = [exercise.tiers.fails(p.family) for p in probes]
    contract = [pair for pair, keep in zip(pairs, in_contract, strict=False) if keep]
    outcomes = [out for out, keep in zip(ran.outcomes, in_contract, strict=False) if keep]
    problems = _pick_tier(exercise, runner, contract, device, seed)
    problems = exercise.judge.named(exercise, contract, outcomes, problems)
    if any(p.fails for p in problems):
        return problems
    notes: dict[Family, Problem] = {}
    beyond = [(p, f) for p, f in pairs if not exercise.tiers.fails(p.family)]
    for probe, found in beyond:
        for problem in _pick_tier(exercise, runner, [(probe, found)], device, seed):
            notes.setdefault(probe.family, edge_case(problem, probe.family))
    return problems + list(notes.values())


def edge_case(problem: Problem, family: Family) -> Problem:
    """A problem found beyond the sheet, as a note that does not fail the exercise."""
    advice = family.advice
    if family is Family.EMPTY and not any(f"{r}()" in problem.message for r in ("max", "min")):
        advice = (
            "Run the call above yourself: every step must accept a size of 0 (torch.stack of "
            "an empty list, a reshape that divides by a size, or an assert that a size is "
            "positive all refuse it)."
        )
    said = problem.message.rstrip(".")
    stop = "" if said.endswith(("?", "!")) else "."
    message = f"passes, but not on {family.words}: {said}{stop} {advice}"
    details = {**problem.details, "as": problem.kind, "family": family.value}
    return replace(
        problem, kind=ProblemKind.EDGE_CASE, message=message, details=details, fails=False
    )


def _pick_tier(
    exercise: Exercise,
    runner: Runner,
    pairs: list[tuple[Probe, list[Problem]]],
    device: str,
    seed: int,
) -> list[Problem]:
    """One problem per kind, from the earliest (smallest) probe that shows it."""
    moderate_fail = any(
        p.kind != ProblemKind.NOT_RUN
        for probe, found in pairs
        if not _large(exercise, probe)
        for p in found
    )
    chosen: dict[str, Problem] = {}
    for probe, problems in pairs:
        problems = [p for p in problems if p.kind != ProblemKind.NOT_RUN]
        if _large(exercise, probe) and moderate_fail:
            # Wrong on moderate inputs already: large ones add nothing but a misleading
            # "unstable". Their other problems (shape, dtype, ...) still count.
            problems = [p for p in problems if p.kind not in (ProblemKind.UNSTABLE, *VALUE_KINDS)]
        if not problems:
            continue
        shrinkable = not any(p.kind in _LIMIT_KINDS for p in problems)  # limits: no re-runs
        if (
            probe.drawn in (Family.RANDOM, Family.LARGE)
            and shrinkable
            and not any(p.kind in chosen for p in problems)
        ):
            probe, problems = _shrink(exercise, runner, probe, problems, device)
            problems = [_with_smallest(p, probe, exercise.id, seed) for p in problems]
        for problem in problems:
            chosen.setdefault(problem.kind, problem)
    return list(chosen.values())


def _large(exercise: Exercise, probe: Probe) -> bool:
    """A large-magnitude probe of an exercise where numerical stability is part of the task."""
    return bool(exercise.cases and exercise.cases.stress_scale) and probe.large


def _with_smallest(problem: Problem, probe: Probe, exercise_id: str, seed: int) -> Problem:
    """Say which case is the smallest failing one and how to see it again."""
    sizes = ", ".join(f"{k}={v}" for k, v in probe.sizes.items())
    again = f"`tensorlings check --exercise {exercise_id} --seed {seed}`"
    note = f" (smallest failing case found: {sizes}; {again} repeats it)" if sizes else ""
    return replace(problem, message=problem.message + note, seed=probe.seed)


def judge_exercise(
    exercise: Exercise,
    runner: Runner,
    facts: Facts,
    seed: int,
    device: str,
) -> ExerciseResult:
    """`facts`: the record of the workbook's source (facts.py), read once per file."""
    available = runner.loaded.get("functions", {})
    judge = exercise.judge
    if isinstance(judge, Strided) and judge.sheet_position and exercise.id not in available:
        return _judge_sheet_strided(exercise, judge, runner)
    if exercise.id not in available:
        failed_definition = _definition_failure(exercise, runner, facts)
        if failed_definition is not None:
            return ExerciseResult(
                exercise.id, exercise.section, Status.FAILED, (failed_definition,)
            )
        return ExerciseResult(exercise.id, exercise.section, Status.NOT_STARTED)
    if available[exercise.id] != "function":
        problem = Problem(
            ProblemKind.WRONG_TYPE,
            f"{exercise.id} is a {available[exercise.id]}, not a function: define it with def.",
        )
        return ExerciseResult(exercise.id, exercise.section, Status.FAILED, (problem,))
    if judge.answers:
        return _judge_answer(exercise, runner, device)
    return _judge_calls(exercise, runner, facts, seed, device)


def _definition_failure(exercise: Exercise, runner: Runner, facts: Facts) -> Problem | None:
    """The function is written in the file, but running its definition failed."""
    node = facts.functions.get(exercise.id)
    if node is None:
        return None
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    for note in runner.loaded.get("notes", []):
        line = note.get("line") if isinstance(note, dict) else None
        if isinstance(line, int) and first <= line <= node.lineno:
            return Problem(
                ProblemKind.EXCEPTION,
                f"{exercise.id} is written at line {node.lineno}, but defining it failed: "
                f"{note.get('message', '')}. A decorator or a default value that needs a "
                "missing module or name stops the function from existing.",
                line=node.lineno,
            )
    return None


def _judge_calls(
    exercise: Exercise,
    runner: Runner,
    facts: Facts,
    seed: int,
    device: str,
) -> ExerciseResult:
    planned = _planned(exercise, seed)
    ran = _run_probes(exercise, runner, planned, device)
    per_probe, recorded, printed = ran.problems, ran.recorded, ran.printed
    problems = _pick(exercise, runner, planned, ran, device, seed)
    kinds = _first_kinds(per_probe)
    if any(kind not in _RUN_FAILURES for kind in kinds):
        # After a crash or a timeout the calls of the probes that never ran are unknown, so
        # only what was seen can be judged: forbidden calls yes, missing ones no.
        complete = not any(
            kind in (ProblemKind.CRASHED, ProblemKind.TIMEOUT, ProblemKind.NOT_RUN)
            for kind in kinds
        )
        problems += rules.call_problems(exercise, recorded, judge_missing=complete)
    if facts.binds(exercise.id):
        problems += rules.static_problems(exercise, exercise.id, facts)
    node = facts.functions.get(exercise.id)
    if node is not None:
        problems += _assert_problems(exercise, node, facts)
    status = Status.FAILED if any(p.fails for p in problems) else Status.PASSED
    if status == "passed" and getattr(runner, "coach", True):
        problems += coach.coach_problems(exercise, runner, seed, device)
    output = _capped(learner_output("".join(printed)))
    return ExerciseResult(exercise.id, exercise.section, status, tuple(problems), output=output)


_RUN_FAILURES = (
    ProblemKind.EXCEPTION,
    ProblemKind.TIMEOUT,
    ProblemKind.MEMORY_LIMIT,
    ProblemKind.CRASHED,
    ProblemKind.NOT_RUN,
)
_LIMIT_KINDS = (
    ProblemKind.TIMEOUT,
    ProblemKind.MEMORY_LIMIT,
    ProblemKind.CRASHED,
    ProblemKind.NOT_RUN,
)


def _first_kinds(per_probe: list[list[Problem]]) -> list[str]:
    """Per probe, the kind of its first problem ("ok" when none; "skipped" when not run)."""
    return [problems[0].kind if problems else "ok" for problems in per_probe]


_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
_WARNING_LINE = re.compile(r"^(?P<path>\S+\.py):\d+: (?P<what>\w*Warning: .*)$")


_INTERNAL_PLACE = re.compile(r"\s*\(Triggered internally at [^)]*\)\.?")


def without_warnings(text: str) -> str:
    """What a probe's call printed, without the warnings raised in it: the checker chose that
    input (an empty tensor, huge values), so a warning about it is no output of the learner's.
    What the learner's own code prints stays; warnings on the sheet's examples are kept."""
    kept: list[str] = []
    skip_source = False
    for line in text.splitlines(keepends=True):
        if skip_source and line.startswith("  "):
            skip_source = False
            continue
        skip_source = bool(_WARNING_LINE.match(line.rstrip("\n")))
        if not skip_source:
            kept.append(line)
    return "".join(kept)


def learner_output(text: str) -> str:
    """What the learner's code printed, without our own files in it: a warning that torch raised
    inside one of tensorlings' wrappers is shown as torch's, without our path and source line."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    skip_source = False
    for line in lines:
        if skip_source and line.startswith("  "):
            skip_source = False
            continue
        skip_source = False
        match = _WARNING_LINE.match(line.rstrip("\n"))
        if match and match["path"].startswith(_PACKAGE_DIR):
            kept.append(f"torch warned: {_INTERNAL_PLACE.sub('', match['what'])}\n")
            skip_source = True
            continue
        # torch's own source file, which says nothing to a learner, is left out of a warning
        kept.append(_INTERNAL_PLACE.sub("", line) if match else line)
    return "".join(kept)


def _capped(text: str) -> str:
    if len(text) <= OUTPUT_SHOWN:
        return text
    return (
        text[:OUTPUT_SHOWN]
        + f"\n… {len(text) - OUTPUT_SHOWN} more characters of output were dropped"
    )


def _assert_problems(exercise: Exercise, node: static.FunctionNode, facts: Facts) -> list[Problem]:
    wanted = exercise.judge.min_learner_asserts
    if not wanted:
        return []
    found = len(relating_asserts(node, facts))
    if found >= wanted:
        return []
    idle = len(static.learner_asserts(facts, node)) - found
    ignored = (
        f" ({idle} more say nothing about the arguments or the output, such as "
        "`assert 1 == 1` or `assert x.shape == x.shape`, and do not count)"
        if idle
        else ""
    )
    return [
        Problem(
            ProblemKind.MISSING_CALL,
            f"{exercise.id} needs at least {wanted} asserts of your own "
            f"relating the arguments and the output; it has {found}{ignored}. What must be true "
            "of the shapes, and of the index values, for the gather to make sense?",
            line=node.lineno,
        )
    ]


def relating_asserts(node: static.FunctionNode, facts: Facts | None = None) -> list[ast.Assert]:
    """The function's reachable asserts that say something about its arguments or its output:
    each must read a parameter or a variable the function assigns (`assert 1 == 1` says
    nothing). `facts`: the record of the file the node is from (built here when not given)."""
    facts = facts if facts is not None else build_facts([node])
    names = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    names |= facts.assigned.get(id(node), set())
    return [
        found
        for found in static.learner_asserts(facts, node)
        if any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(found.test))
        and not _tautology(found.test)
    ]


def _tautology(test: ast.expr) -> bool:
    """`x == x`, `a.shape == a.shape`, `out is out`: both sides the same expression."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    return ast.dump(test.left) == ast.dump(test.comparators[0])


def _judge_answer(exercise: Exercise, runner: Runner, device: str) -> ExerciseResult:
    results = runner.run(
        exercise.id,
        [{"args": [], "seed": 0, "device": device}],
        False,
        runner.limits.exercise_seconds,
    )
    result = results[0] if results else None
    probe = Probe(label="the answer", args=(), expected=None)
    if not isinstance(result, dict) or result.get("status") != "ok":
        problems = _problems_for(exercise, probe, result, runner, device)
        return ExerciseResult(exercise.id, exercise.section, Status.FAILED, tuple(problems))
    value = _decode(result.get("output"))
    problems = exercise.judge.answer_problems(exercise, value)
    explanation = None if problems else exercise.judge.explanation(exercise)
    status = Status.FAILED if problems else Status.PASSED
    return ExerciseResult(
        exercise.id, exercise.section, status, tuple(problems), explanation=explanation
    )


def _judge_sheet_strided(exercise: Exercise, judge: Strided, runner: Runner) -> ExerciseResult:
    """as_strided answers given the sheet's way: a `test_cases` list with size and stride."""
    cases = runner.loaded.get("test_cases")
    number = judge.sheet_position or 0
    if not isinstance(cases, list) or len(cases) < number or cases[number - 1] is None:
        return ExerciseResult(exercise.id, exercise.section, Status.NOT_STARTED)
    size, stride = cases[number - 1]
    if list(size) == [1] and list(stride) == [1]:
        return ExerciseResult(
            exercise.id, exercise.section, Status.NOT_STARTED
        )  # the sheet's blank
    problems = judge.answer_problems(exercise, (tuple(size), tuple(stride)))
    return ExerciseResult(
        exercise.id, exercise.section, Status.FAILED if problems else Status.PASSED, tuple(problems)
    )
