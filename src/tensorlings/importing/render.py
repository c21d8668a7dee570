"""Write the pack: one `__init__.py` in the pack's ordinary form (docs/authoring.md), the
references first, then each exercise's case maker and its `Exercise`, every guess marked with
an `# inferred` or `# TODO` comment where the author reads the field."""

from __future__ import annotations

import re

from tensorlings.importing.literals import literal
from tensorlings.importing.plan import ExercisePlan
from tensorlings.importing.puzzles import QuestionCell, StridedPuzzle
from tensorlings.importing.solutions import Solutions

_HEADER = '''"""{title}: imported from {sheet} by `tensorlings pack import`.

Every guess the importer made is marked `# inferred: ...`, and what is left to do `# TODO: ...`;
import's report lists them too. Review them, then run `tensorlings pack check` on this folder.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch as t

from tensorlings import rule_apis
from tensorlings.exercise import (
    Call, Draw, DtypePolicy, Example, Exercise, Family, OutputPolicy, RandomCases, Rules, Tiers,
)
from tensorlings.judges import Compare, Draws, Sampling, Strided
from tensorlings.rule_apis import Concept
'''

_HELPERS = """

def _extra_axes(draw: Draw) -> tuple[int, ...]:
    # inferred: "any number of axes" drawn as 0 to a few trailing axes of 1 to 3 entries each
    count = draw.sizes["extra_axes"]
    return tuple(int(n) for n in torch.randint(1, 4, (count,), generator=draw.rng))


def _random_distribution(rng: torch.Generator) -> torch.Tensor:
    # inferred: a random distribution over 10 events, for a sampler's random cases
    return torch.softmax(torch.randn(10, generator=rng, dtype=torch.float64), 0).float()
"""


def render_pack(
    name: str,
    title: str,
    sheet: str,
    plans: list[ExercisePlan],
    puzzles: list[StridedPuzzle],
    questions: list[QuestionCell],
    solutions: Solutions,
) -> str:
    out = [_HEADER.format(title=title, sheet=sheet)]
    out += [line for line in solutions.imports if "__future__" not in line]
    out.append(f'\nNAME = {name!r}\nTITLE = {title!r}\nVERSION = "0.1"')
    out.append(_HELPERS)
    ids = [p.id for p in plans if p.has_reference]
    ids += [f"as_strided_{p.number}" for p in puzzles if solutions.has(f"as_strided_{p.number}")]
    if ids:
        out.append(
            "\n# References: from "
            f"{solutions.path.name if solutions.path else 'the solutions file'}, "
            "with the helpers and constants they use.\n"
        )
        out += [source + "\n\n" for source in solutions.source_for(ids)]
    for plan in plans:
        if not plan.has_reference:
            out.append(
                f"\n{plan.signature}\n    # TODO: write the reference solution\n    raise "
                "NotImplementedError\n"
            )
    for plan in plans:
        out.append(_maker(plan))
    out += [_puzzle_solution(p, solutions) for p in puzzles]
    out.append("\n\nEXERCISES = (")
    out += [_exercise(plan) for plan in plans]
    out += [_puzzle(p, solutions) for p in puzzles]
    out.append(")\n")
    out += [_question(q) for q in questions]
    return "\n".join(out)


def _text(value: str, indent: str) -> str:
    lines = value.strip("\n").split("\n")
    if len(lines) == 1:
        return repr(lines[0])
    parts = [repr(line + "\n") for line in lines[:-1]] + [repr(lines[-1])]
    return "(\n" + "".join(f"{indent}    {p}\n" for p in parts) + f"{indent})"


def _comment(text: str, indent: str) -> str:
    return "".join(f"{indent}# {line}\n" for line in text.split("\n"))


def _maker(plan: ExercisePlan) -> str:
    cases = plan.cases
    if cases is None or not cases.returns:
        return ""
    params = re.findall(r"(\w+)(?::[^,]*)?(?:,|\))", plan.signature.split("(", 1)[1])
    body = "".join(f"    {line}\n" for line in cases.lines)
    names = params[: len(cases.returns)]
    pending = list(zip(names, cases.returns, strict=True))
    ordered = [
        p for p in pending if not any(re.search(rf"\b{n}\.", p[1]) for n in names if n != p[0])
    ]
    ordered += [p for p in pending if p not in ordered]
    body += "".join(f"    {n} = {expr}\n" for n, expr in ordered)
    notes = "".join(f"    # inferred: {note}\n" for note in cases.notes)
    todos = "".join(f"    # TODO: {todo}\n" for todo in cases.todos)
    returns = ", ".join(names) + ("," if len(names) == 1 else "")
    head = f"\n\ndef _cases_{plan.id}(draw: Draw) -> tuple[Any, ...]:\n"
    return f"{head}{notes}{todos}{body}    return ({returns})\n"


def _exercise(plan: ExercisePlan) -> str:
    i = "        "
    lines = ["    Exercise("]
    lines += [_comment(f"TODO: {todo}", i).rstrip("\n") for todo in plan.todos]
    lines.append(f"{i}id={plan.id!r},")
    lines.append(f"{i}section={plan.section!r},  # inferred: the heading above the stub")
    lines.append(f"{i}title={plan.title!r},  # inferred: the docstring's first sentence")
    lines.append(f"{i}prompt={_text(plan.prompt, i)},")
    lines.append(f"{i}solution={plan.id},")
    hints = ", ".join(_text(h, i) for h in plan.hints)
    lines.append(
        f"{i}hints=({hints},),  # inferred: from the docstring, or generic; hints are "
        "questions that lead"
    )
    if plan.judge:
        lines.append(f"{i}judge={plan.judge},  # inferred")
    if plan.examples:
        lines.append(f"{i}examples=(")
        for args, expected, source in plan.examples:
            lines.append(f"{i}    # from the sheet: {' '.join(source.split())[:90]}")
            lines.append(f"{i}    Example({args}, {expected}),")
        lines.append(f"{i}),")
    if plan.cases is not None and plan.cases.returns:
        grad = f", grad_args={plan.cases.grad_args!r}" if plan.cases.grad_args else ""
        if plan.cases.stress_scale:
            grad += f", stress_scale={plan.cases.stress_scale!r}"
        lines.append(
            f"{i}cases=RandomCases(make=_cases_{plan.id}, sizes={plan.cases.sizes!r}{grad}),"
        )
    for comment in plan.rule_comments:
        lines.append(f"{i}# inferred rule: {comment}")
    if plan.rules:
        lines.append(f"{i}rules={plan.rules},")
    if plan.output_comment:
        lines.append(f"{i}# {plan.output_comment}")
    lines.append(f"{i}output={plan.output},")
    if plan.tiers:
        lines.append(f"{i}tiers={plan.tiers},  # inferred: the sheet's example requires gradients")
    if plan.starter:
        lines.append(f"{i}starter={plan.starter!r},  # inferred: the code the sheet's stub holds")
    if plan.cases is not None and plan.cases.shapes:
        lines.append(
            f"{i}shapes={plan.cases.shapes!r},  # inferred: from the docstring and examples"
        )
    lines.append("    ),")
    return "\n".join(lines)


def _puzzle_solution(puzzle: StridedPuzzle, solutions: Solutions) -> str:
    answers = solutions.strided
    index = puzzle.number - 1
    name = f"as_strided_{puzzle.number}"
    if solutions.has(name):
        return ""  # the solutions file's own function, written with the references
    if index < len(answers) and answers[index] is not None:
        size, stride = answers[index]  # type: ignore[misc]
        head = f"\n\ndef {name}() -> tuple[tuple[int, ...], tuple[int, ...]]:\n"
        return f"{head}    return {size!r}, {stride!r}\n"
    return (
        f"\n\ndef {name}() -> tuple[tuple[int, ...], tuple[int, ...]]:\n"
        "    # TODO: the size and stride that make the target (not in the solutions file)\n"
        "    raise NotImplementedError\n"
    )


def _puzzle(puzzle: StridedPuzzle, solutions: Solutions) -> str:
    i = "        "
    target = literal(puzzle.target)
    shape = tuple(puzzle.target.shape)
    shown = " ".join(repr(puzzle.input).split())
    described = f"the target of shape {shape}, where input is {shown}. "
    return "\n".join(
        [
            "    Exercise(",
            f"{i}# inferred: an as_strided fill-in, case {puzzle.number} of the sheet's list",
            f"{i}id='as_strided_{puzzle.number}',",
            f"{i}section='as_strided',",
            f"{i}title='as_strided puzzle {puzzle.number}',",
            f"{i}prompt=(",
            f"{i}    'Find a size and a stride such that input.as_strided(size, stride) "
            "is exactly '",
            f"{i}    {i}    {described!r}",
            f"{i}    'Return them as a pair of tuples of ints, (size, stride).'",
            f"{i}),",
            f"{i}solution=as_strided_{puzzle.number},",
            f"{i}hints=('How many axes does the target have, and how long is each?', "
            "'Between two neighbouring entries along an axis, how many steps through "
            "memory do you take?'),",
            f"{i}judge=Strided(input={literal(puzzle.input)}, target={target}, "
            f"sheet_position={puzzle.number}),",
            f"{i}examples=(Example((), {target}),),",
            f"{i}output=OutputPolicy(rtol=0.0, atol=0.0),",
            "    ),",
        ]
    )


def _question(question: QuestionCell) -> str:
    snippet = "".join(f"#     {line}\n" for line in question.snippet.split("\n"))
    return (
        f"\n# TODO: a predict-the-output question (sheet line {question.line}, "
        f"{question.section!r}).\n"
        "# Make it an exercise with judge=Ask(Question(snippet, options, explanation)) and\n"
        "# solution=question_solution(question) (docs/authoring.md, 'The judges'), or "
        "delete this.\n"
        f"# The snippet:\n{snippet}"
    )
