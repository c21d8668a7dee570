"""One exercise's plan: every field of its `Exercise`, as source for the pack, with the notes
(what was inferred from what) and the TODOs the author must see."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import torch

from tensorlings.importing.cases import CasePlan, Memory, plan_cases
from tensorlings.importing.examples import Comparison, Findings, FoundExample
from tensorlings.importing.literals import NotWritable, literal
from tensorlings.importing.rules import build_rules
from tensorlings.importing.solutions import Solutions
from tensorlings.importing.stubs import Stub, _placeholder
from tensorlings.importing.wording import hint_sentences, rules_from, rules_from_name

_ASSERTS_ASKED = re.compile(r"write at least (\w+) asserts?", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass
class ExercisePlan:
    id: str
    section: str
    title: str
    prompt: str
    hints: list[str]
    signature: str  # `def id(args) -> ret:` for a reference left to write
    examples: list[tuple[str, str, str]] = field(default_factory=list)  # args, expected, comment
    cases: CasePlan | None = None
    rules: str | None = None
    rule_comments: list[str] = field(default_factory=list)
    output: str = "OutputPolicy()"
    output_comment: str = ""
    judge: str | None = None
    starter: str | None = None
    tiers: str | None = None
    has_reference: bool = False
    notes: list[str] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)


def plan_exercise(
    stub: Stub, findings: Findings, solutions: Solutions, memory: Memory
) -> ExercisePlan:
    prompt = "\n\n".join(p for p in (stub.context, stub.docstring) if p.strip()) or stub.id
    plan = ExercisePlan(
        id=stub.id,
        section=stub.section or "Exercises",
        title=_title(stub),
        prompt=prompt,
        hints=hint_sentences(stub.docstring),
        signature=_signature(stub.node),
    )
    if not stub.section:
        plan.notes.append("section: no heading above the stub; named 'Exercises'")
    found = findings.examples.get(stub.id, [])
    _examples(plan, found)
    plan.notes += findings.notes.get(stub.id, [])
    _cases(plan, stub, found, solutions, memory)
    _reference_and_rules(plan, stub, solutions)
    _output(plan, stub, found)
    _judge(plan, stub, findings)
    if not plan.hints:
        _generic_hint(plan)
    if not found and stub.id not in findings.sampling:
        plan.todos.append("no example found under the stub: add one (pack check asks for it)")
    return plan


_STABLE = re.compile(r"numerically stable|overflow|underflow|large values", re.IGNORECASE)


def _cases(
    plan: ExercisePlan,
    stub: Stub,
    found: list[FoundExample],
    solutions: Solutions,
    memory: Memory,
) -> None:
    plan.cases = plan_cases(stub, found, memory)
    if plan.cases is None:
        return
    plan.todos += plan.cases.todos
    why = _large_magnitudes(stub, found, solutions)
    if why and plan.cases.returns:
        plan.cases.stress_scale = 1000.0
        plan.cases.notes.append(f"large-magnitude cases (stress_scale=1000): {why}")
    if plan.cases.grad_args:
        plan.tiers = "Tiers.contract_also(Family.GRADIENTS)"
        plan.notes.append("gradients are part of the task: the sheet's input requires them")


def _reference_and_rules(plan: ExercisePlan, stub: Stub, solutions: Solutions) -> None:
    plan.has_reference = solutions.has(stub.id)
    if not plan.has_reference:
        what = "no solutions file" if solutions.path is None else "no function of this name"
        plan.todos.append(f"write the reference solution ({what})")
    inferred = rules_from(stub.docstring)
    named = {r.name for r in inferred}
    inferred += [r for r in rules_from_name(stub.id) if r.name not in named]
    # The reference with the helpers it uses: a rule it breaks is shown, not applied.
    reference = ast.parse("\n\n".join(solutions.source_for([stub.id])))
    built = build_rules(inferred, reference if plan.has_reference else None)
    plan.rules, plan.rule_comments = built.source, built.comments
    plan.notes += [f"rule {c}" for c in built.comments]


def _generic_hint(plan: ExercisePlan) -> None:
    returns = plan.cases.shapes.get("returns") if plan.cases else None
    shape = f" ({returns})" if returns else ""
    plan.hints = [
        f"What shape must the result have{shape}, and which call named in the task gives it?"
    ]
    plan.notes.append("hints: none in the docstring; wrote a generic one (write hints that lead)")


def _large_magnitudes(stub: Stub, found: list[FoundExample], solutions: Solutions) -> str:
    """Why the exercise is about numerical stability, or "" when nothing says it is."""
    wording = _STABLE.search(stub.docstring)
    if wording:
        return f'the docstring says "{wording.group(0)}"'
    for example in found:
        for arg in example.args:
            finite = (
                arg[arg.isfinite()]
                if isinstance(arg, torch.Tensor) and arg.dtype != torch.bool
                else None
            )
            if finite is not None and finite.numel() and finite.abs().max() >= 100:
                return "an example's entries reach 100 or more"
    if solutions.has(stub.id):
        source = "\n".join(solutions.source_for([stub.id]))
        if re.search(r"\bexp\b", source) and re.search(r"\.max\(|\bamax\b|\.max\b", source):
            return "the reference subtracts a maximum before exp (a stable computation)"
    return ""


def _title(stub: Stub) -> str:
    first = re.split(r"(?<=[.!?:])\s", " ".join(stub.docstring.split()), maxsplit=1)[0].rstrip(".:")
    if not first:
        return stub.id.replace("_", " ").capitalize()
    return first if len(first) <= 70 else first[:67].rsplit(" ", 1)[0] + "..."


def _signature(node: ast.FunctionDef) -> str:
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"def {node.name}({ast.unparse(node.args)}){returns}:"


def _examples(plan: ExercisePlan, found: list[FoundExample]) -> None:
    for example in found:
        expected = example.expected
        # `f(x).tolist() == [...]` and `f(x) == 3` compare plain numbers: the expected value
        # is the tensor those numbers make.
        if isinstance(expected, (int, float, list)) and not isinstance(expected, bool):
            try:
                expected = torch.tensor(expected)
            except (TypeError, ValueError, RuntimeError):
                plan.notes.append(f"skipped `{example.source}`: its expected value is not a tensor")
                continue
        try:
            args = literal(tuple(example.args))
            value = literal(expected)
        except NotWritable as error:
            plan.notes.append(f"skipped `{example.source}`: {error} has no literal form")
            continue
        plan.examples.append((args, value, example.source))


def _output(plan: ExercisePlan, stub: Stub, found: list[FoundExample]) -> None:
    returns_float = bool(stub.node.returns) and ast.unparse(stub.node.returns) == "float"  # type: ignore[arg-type]
    number = [
        e
        for e in found
        if isinstance(e.expected, (int, float)) and not isinstance(e.expected, bool)
    ]
    number = [e for e in number if "tolist()" not in e.source]
    close = [e for e in found if e.comparison is Comparison.CLOSE]
    if number or returns_float:
        dtype = (
            "ANY_NUMERIC"
            if returns_float or all(isinstance(e.expected, int) for e in number)
            else "FLOATING"
        )
        plan.output = f"OutputPolicy(dtype=DtypePolicy.{dtype}, python_number_ok=True)"
        plan.output_comment = (
            "inferred: the sheet compares with a Python number (a 0-d tensor or a number is fine)"
        )
    elif close:
        rtol, atol = close[0].rtol, close[0].atol
        plan.output = f"OutputPolicy(rtol={rtol!r}, atol={atol!r})"
        plan.output_comment = f"inferred: tolerances of `{_short(close[0].source)}`"
    elif found and all(_keeps_input_dtype(e) for e in found):
        plan.output = "OutputPolicy(rtol=0.0, atol=0.0)"
        plan.output_comment = (
            "inferred: exact values; each example's answer has its inputs' dtype, so that dtype"
        )
    elif found:
        plan.output = "OutputPolicy(dtype=DtypePolicy.ANY_NUMERIC, rtol=0.0, atol=0.0)"
        plan.output_comment = (
            "inferred: the sheet compares values exactly and its answers' dtypes vary or differ "
            "from the inputs': any numeric dtype"
        )
    plan.notes.append(f"output: {plan.output_comment or 'the default policy'}")


def _keeps_input_dtype(example: FoundExample) -> bool:
    """True when the answer is a tensor of the one dtype all the tensor arguments share."""
    dtypes = {a.dtype for a in example.args if isinstance(a, torch.Tensor)}
    expected = example.expected
    return isinstance(expected, torch.Tensor) and dtypes == {expected.dtype}


def _judge(plan: ExercisePlan, stub: Stub, findings: Findings) -> None:
    sampling = findings.sampling.get(stub.id)
    if sampling is not None:
        try:
            probs = literal(sampling.args[0])
            args = literal(tuple(sampling.args))
        except (NotWritable, IndexError):
            plan.todos.append(
                "a sampling check was found but its distribution could not be written"
            )
            return
        plan.judge = (
            f'Sampling(draws=(Draws("the sheet\'s distribution", {probs}, 100_000, '
            "Family.EXAMPLES), "
            'Draws("a random distribution", _random_distribution, 20_000, Family.RANDOM)))'
        )
        plan.examples.append((args, probs, sampling.source))
        plan.output = "OutputPolicy(dtype=DtypePolicy.INTEGER)"
        plan.output_comment = "inferred: a sampler returns integer indices"
        plan.notes.append(
            f"judge: a sampler, inferred from `{_short(sampling.source)}` (draws judged "
            "by a chi-square test)"
        )
        return
    asked = _ASSERTS_ASKED.search(stub.docstring)
    if asked:
        count = _NUMBERS.get(asked.group(1).lower()) or (
            int(asked.group(1)) if asked.group(1).isdigit() else 1
        )
        plan.judge = f"Compare(min_learner_asserts={count})"
        plan.notes.append(
            f'judge: {count} asserts of the learner\'s own, inferred from "{asked.group(0)}"'
        )
    if stub.template:
        body = stub.node.body[1:] if ast.get_docstring(stub.node) is not None else stub.node.body
        code = [
            ast.unparse(s) for s in body if not _placeholder(s) and not isinstance(s, ast.Assert)
        ]
        plan.starter = "\n".join(code) or None
        plan.notes.append("starter: the stub holds code to complete; kept as its starter")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."
