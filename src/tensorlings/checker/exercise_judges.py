"""Judge one exercise end to end: plan probes, run them in the child, collect problems, shrink."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from tensorlings.checker import coach, dtype_errors, mistakes, rules, static
from tensorlings.checker import probes as probe_plans
from tensorlings.checker.facts import Facts
from tensorlings.checker.facts_reader import build as build_facts
from tensorlings.checker.judge import (
    VALUE_KINDS,
    _decode,
    call_text,
    error_problem,
    stamped,
)
from tensorlings.checker.probes import Probe
from tensorlings.checker.results import ExerciseResult, Problem
from tensorlings.checker.strategies import strategy_for
from tensorlings.exercise import Exercise, Family, Rules
from tensorlings.messages.replies import CallResult, LoadReply
from tensorlings.messages.requests import Call
from tensorlings.vocab import CallStatus, ProblemKind, Status
from tensorlings.worker import encoding

MAX_SHRINK_ROUNDS = 4
OUTPUT_SHOWN = 2000


class Runner(Protocol):
    workbook: Any
    limits: Any

    @property
    def loaded(self) -> LoadReply: ...

    def run(
        self, name: str, calls: list[Call], record: bool, seconds: float
    ) -> list[CallResult]: ...


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
    planned = strategy_for(exercise.judge).probes(exercise, seed)
    _PLANS[key] = (exercise, planned)
    return planned


def probe_families(exercise: Exercise) -> frozenset[Family]:
    """The families this exercise has probes of (as planned for seed 0)."""
    return frozenset(p.family for p in _planned(exercise, 0))


def encode_call(probe: Probe, device: str) -> Call:
    args = tuple(encoding.encode(a) for a in probe.args)
    if probe.grad_args and probe.grad_seed is not None:
        grad_seed = encoding.encode(probe.grad_seed)
        return Call(args, probe.seed or 0, device, tuple(probe.grad_args), grad_seed)
    return Call(args, probe.seed or 0, device)


@dataclass(frozen=True)
class Judging:
    """One exercise being judged: what each step of judging it needs."""

    exercise: Exercise
    runner: Runner
    facts: Facts  # the record of the workbook's source (facts.py), read once per file
    seed: int
    device: str


def _problems_for(job: Judging, probe: Probe, result: CallResult | None) -> list[Problem]:
    exercise, runner, device = job.exercise, job.runner, job.device
    if result is None:
        return [Problem(ProblemKind.CRASHED, "the worker sent back no result for this call")]
    status = result.status
    if status == CallStatus.CRASHED:
        message = result.failure.message
        call = call_text(exercise, probe.args)
        return [
            Problem(
                ProblemKind.CRASHED,
                f"{message} while running {call}. Something in the function ended the process "
                "(os._exit, a crash inside a library, or a limit such as file size or CPU time).",
            )
        ]
    if status in (CallStatus.ERROR, CallStatus.TIMEOUT, CallStatus.MEMORY):
        tensor_globals = runner.loaded.tensor_globals
        problem = error_problem(exercise, probe, result, runner.workbook, tensor_globals)
        return [_with_limit(problem, runner.limits)]
    if status == CallStatus.NOT_RUN:
        return [Problem(ProblemKind.NOT_RUN, "not run: an earlier call timed out", fails=False)]
    if status != CallStatus.OK:
        return []
    return strategy_for(exercise.judge).problems(exercise, probe, replace(result, device=device))


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


def _run_probes(job: Judging, probes: list[Probe]) -> Ran:
    exercise, runner = job.exercise, job.runner
    calls = [encode_call(p, job.device) for p in probes]
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
        found = _problems_for(job, probe, result)
        per_probe.append(stamped(found, exercise, probe))
        if result is not None:
            for name, count in result.calls.items():
                recorded[name] = recorded.get(name, 0) + count
            if result.output_text:
                text = result.output_text
                shown = probe.family is Family.EXAMPLES and probe.seed is None  # an example
                printed.append(text if shown else without_warnings(text))
    return Ran(per_probe, recorded, printed, outcomes)


def _outcome(result: CallResult | None) -> mistakes.Outcome | None:
    """What the learner's call gave, for naming its mistake; None when it is not known."""
    if result is None:
        return None
    if result.status == CallStatus.OK:
        return mistakes.Outcome(value=_decode(result.output))
    error = result.error
    if result.status == CallStatus.ERROR and error is not None:
        return mistakes.Outcome.of_error(error.type, error.message)
    return None


@dataclass(frozen=True)
class Ran:
    """What running a batch of probes gave: problems per probe, calls, output, values."""

    problems: list[list[Problem]]
    recorded: dict[str, int]
    printed: list[str]
    outcomes: list[mistakes.Outcome | None]


def _shrink(job: Judging, probe: Probe, problems: list[Problem]) -> tuple[Probe, list[Problem]]:
    """A smaller input that fails the same way, found by cutting each size down."""
    exercise = job.exercise
    kind = problems[0].kind
    for _ in range(MAX_SHRINK_ROUNDS):
        candidates = probe_plans.shrink_candidates(exercise, probe)
        if not candidates:
            break
        found = _run_probes(job, candidates).problems
        failing = [
            (c, f) for c, f in zip(candidates, found, strict=False) if f and f[0].kind == kind
        ]
        if not failing:
            break
        probe, problems = min(failing, key=lambda pair: pair[0].size)
    return probe, problems


def _pick(job: Judging, probes: list[Probe], ran: Ran) -> list[Problem]:
    """The contract's problems; when the contract holds, one edge-case note per family beyond.

    Beyond-the-sheet probes are judged only once the contract holds: until then they mostly
    repeat the same mistake on a stranger input.
    """
    exercise = job.exercise
    pairs = list(zip(probes, ran.problems, strict=False))
    in_contract = [exercise.tiers.fails(p.family) for p in probes]
    contract = [pair for pair, keep in zip(pairs, in_contract, strict=False) if keep]
    outcomes = [out for out, keep in zip(ran.outcomes, in_contract, strict=False) if keep]
    problems = _pick_tier(job, contract)
    problems = strategy_for(exercise.judge).named(exercise, contract, outcomes, problems)
    if any(p.fails for p in problems):
        return problems
    notes: dict[Family, Problem] = {}
    beyond = [(p, f) for p, f in pairs if not exercise.tiers.fails(p.family)]
    for probe, found in beyond:
        for problem in _pick_tier(job, [(probe, found)]):
            notes.setdefault(probe.family, edge_case(problem, probe.family, exercise.rules))
    return problems + list(notes.values())


_NO_RULES = Rules()


def edge_case(problem: Problem, family: Family, rules: Rules = _NO_RULES) -> Problem:
    """A problem found beyond the sheet, as a note that does not fail the exercise."""
    advice = family.advice
    if family is Family.OTHER_DTYPES:  # its advice names calls: only those the rules allow
        advice = rules.within(
            (("zeros_like", "new_tensor"), advice),
            ((), "Keep the input's dtype: convert nothing at the end, and build constants "
             "with dtype=x.dtype."),
        )  # fmt: skip
    if dtype_errors.mismatch(problem.message) is not None:
        advice = ""  # the message explains the mismatch; a size of 0 is not its cause
    elif family is Family.EMPTY and not any(f"{r}()" in problem.message for r in ("max", "min")):
        advice = (
            "Run the call above yourself: every step must accept a size of 0 (torch.stack of "
            "an empty list, a reshape that divides by a size, or an assert that a size is "
            "positive all refuse it)."
        )
    said = problem.message.rstrip(".")
    stop = "" if said.endswith(("?", "!")) else "."
    message = f"passes, but not on {family.words}: {said}{stop} {advice}".rstrip()
    details = {**problem.details, "as": problem.kind, "family": family.value}
    return replace(
        problem, kind=ProblemKind.EDGE_CASE, message=message, details=details, fails=False
    )


def _pick_tier(job: Judging, pairs: list[tuple[Probe, list[Problem]]]) -> list[Problem]:
    """One problem per kind, from the earliest (smallest) probe that shows it."""
    exercise, seed = job.exercise, job.seed
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
            probe, problems = _shrink(job, probe, problems)
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
    job = Judging(exercise, runner, facts, seed, device)
    available = runner.loaded.functions
    strategy = strategy_for(exercise.judge)
    if exercise.id not in available:
        given_the_sheets_way = strategy.sheet_answer(exercise, runner.loaded)
        if given_the_sheets_way is not None:
            return given_the_sheets_way
        failed_definition = _definition_failure(job)
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
    if strategy.answers:
        return _judge_answer(job)
    return _judge_calls(job)


def _definition_failure(job: Judging) -> Problem | None:
    """The function is written in the file, but running its definition failed."""
    exercise, runner, facts = job.exercise, job.runner, job.facts
    node = facts.functions.get(exercise.id)
    if node is None:
        return None
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    for note in runner.loaded.notes:
        if first <= note.line <= node.lineno:
            return Problem(
                ProblemKind.EXCEPTION,
                f"{exercise.id} is written at line {node.lineno}, but defining it failed: "
                f"{note.message}. A decorator or a default value that needs a "
                "missing module or name stops the function from existing.",
                line=node.lineno,
            )
    return None


def _judge_calls(job: Judging) -> ExerciseResult:
    exercise, runner, facts, seed, device = (
        job.exercise,
        job.runner,
        job.facts,
        job.seed,
        job.device,
    )
    planned = _planned(exercise, seed)
    ran = _run_probes(job, planned)
    per_probe, recorded, printed = ran.problems, ran.recorded, ran.printed
    problems = _pick(job, planned, ran)
    kinds = _first_kinds(per_probe)
    # A call that raised keeps what it was seen to call: a forbidden call on the line that
    # raised is still reported. After a crash or a timeout the calls of the probes that never
    # ran are unknown, and a call that raised may not have reached the required one, so only
    # what was seen is judged: forbidden calls yes, missing ones only when some call finished.
    finished = any(kind not in _RUN_FAILURES for kind in kinds)
    complete = finished and not any(
        kind in (ProblemKind.CRASHED, ProblemKind.TIMEOUT, ProblemKind.NOT_RUN) for kind in kinds
    )
    problems += rules.call_problems(exercise, recorded, judge_missing=complete)
    if facts.binds(exercise.id):
        problems += rules.static_problems(exercise, exercise.id, facts)
    node = facts.functions.get(exercise.id)
    if node is not None:
        problems += _assert_problems(exercise, node, facts)
    status = Status.FAILED if any(p.fails for p in problems) else Status.PASSED
    if status == Status.PASSED and getattr(runner, "coach", True):
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


def _judge_answer(job: Judging) -> ExerciseResult:
    exercise, runner = job.exercise, job.runner
    results = runner.run(
        exercise.id, [Call((), 0, job.device)], False, runner.limits.exercise_seconds
    )
    result = results[0] if results else None
    probe = Probe(label="the answer", args=(), expected=None)
    if result is None or result.status != CallStatus.OK:
        problems = _problems_for(job, probe, result)
        return ExerciseResult(exercise.id, exercise.section, Status.FAILED, tuple(problems))
    value = _decode(result.output)
    strategy = strategy_for(exercise.judge)
    problems = strategy.answer_problems(exercise, value)
    explanation = None if problems else strategy.explanation(exercise)
    status = Status.FAILED if problems else Status.PASSED
    return ExerciseResult(
        exercise.id, exercise.section, status, tuple(problems), explanation=explanation
    )
