"""The checks that need no mutant: ids, texts, the generated stub, and the declared mistakes."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

import torch

from tensorlings import workbook
from tensorlings.authoring.findings import SoundnessFinding
from tensorlings.checker import static
from tensorlings.checker.results import Problem
from tensorlings.checker.strategies import strategy_for
from tensorlings.exercise import Draw, Exercise, Mistake, RandomCases


# Kinds whose answer is not a function of inputs: no examples to show (an as_strided target is
# its one example, but it is given, not asked for).
def _needs_examples(exercise: Exercise) -> bool:
    return not strategy_for(exercise.judge).answers


def duplicate_ids(exercises: Sequence[Exercise]) -> list[SoundnessFinding]:
    counts = Counter(ex.id for ex in exercises)
    return [
        SoundnessFinding(
            exercise_id,
            "duplicate_id",
            f"{count} exercises have the id {exercise_id!r}: the learner's function name, the "
            "progress record and `--exercise` can only mean one of them.",
            "Give each exercise its own id (the function name the learner writes).",
        )
        for exercise_id, count in counts.items()
        if count > 1
    ]


def text_findings(exercise: Exercise) -> list[SoundnessFinding]:
    found = []
    if not exercise.prompt.strip():
        found.append(
            SoundnessFinding(
                exercise.id,
                "missing_prompt",
                "the prompt is empty: the workbook and `show` would have nothing to ask.",
                "Write the prompt: what the function takes, what it returns, with shapes.",
            )
        )
    if not [h for h in exercise.hints if h.strip()]:
        found.append(
            SoundnessFinding(
                exercise.id,
                "missing_hints",
                "the exercise has no hints, so `tensorlings hint` has nothing to give.",
                "Add hints as questions that lead, the most general first.",
            )
        )
    if _needs_examples(exercise) and not exercise.examples:
        found.append(
            SoundnessFinding(
                exercise.id,
                "missing_examples",
                "the exercise has no example, so `show` has no input and output to show and "
                "no probe uses the sheet's own values.",
                "Add at least one Example(args, expected) with the value the prompt promises.",
            )
        )
    return found


def stub_findings(exercise: Exercise) -> list[SoundnessFinding]:
    """The generated stub must read as not started, or a fresh workbook reports failures."""
    text = workbook.stub(exercise)
    try:
        functions = static.last_definitions(ast.parse(text).body)
    except SyntaxError as error:
        return [_stub_finding(exercise, f"the generated stub is not valid Python ({error.msg})")]
    node = functions.get(exercise.id)
    if node is None:
        return [_stub_finding(exercise, f"the generated stub defines no function {exercise.id}")]
    if not static.is_stub(node, exercise.starter):
        return [_stub_finding(exercise, "the generated stub is judged as started work")]
    return []


def _stub_finding(exercise: Exercise, what: str) -> SoundnessFinding:
    return SoundnessFinding(
        exercise.id,
        "stub_judged_started",
        f"{what}: a fresh workbook would not show it as not started.",
        "Keep `starter` to code the stub really contains, with no body beyond it.",
    )


def mistake_findings(exercise: Exercise) -> list[SoundnessFinding]:
    """Each declared mistake must fail the checker, and the message must name it."""
    found = []
    for mistake in exercise.mistakes:
        problems = [p for p in _judged(exercise, mistake) if p.fails]
        if not problems:
            found.append(
                SoundnessFinding(
                    exercise.id,
                    "mistake_passes",
                    f"the declared mistake {mistake.name!r} passes the checker: no contract "
                    "probe tells it from the reference.",
                    "Add a random case or an example where this mistake gives another answer "
                    "(or drop the mistake if it is not wrong on the exercise's inputs).",
                )
            )
        elif not any(mistake.name in p.message for p in problems):
            found.append(
                SoundnessFinding(
                    exercise.id,
                    "mistake_unnamed",
                    f"the declared mistake {mistake.name!r} fails, but the message does not "
                    f"name it: {problems[0].message}",
                    "Make its `run` give exactly what the mistaken code gives on every contract "
                    "probe (an earlier mistake with the same outputs takes the name first; an "
                    "error must be the same type and first line).",
                )
            )
    return found


def _judged(exercise: Exercise, mistake: Mistake) -> list[Problem]:
    return strategy_for(exercise.judge).mistake_problems(exercise, mistake)


def unused_size_findings(exercise: Exercise) -> list[SoundnessFinding]:
    """A declared size the case maker never reads: every random case is drawn as if it were
    fixed (`(n, n)` for `(h, w)`), so an answer with those axes swapped passes unseen."""
    cases = exercise.cases
    if cases is None or not strategy_for(exercise.judge).compares_outputs:
        return []
    smallest = {name: max(1, low) for name, (low, _) in cases.sizes.items()}
    found = []
    for name, (low, high) in cases.sizes.items():
        values = (max(1, low), high)
        if values[0] >= values[1]:
            continue
        try:
            made = [_case_print(cases, {**smallest, name: value}) for value in values]
        except Exception:  # the maker refuses these sizes: reported elsewhere if it matters
            continue
        if made[0] == made[1]:
            found.append(
                SoundnessFinding(
                    exercise.id,
                    "size_unused",
                    f"the case maker never reads the size {name!r}: with {name}={values[0]} "
                    f"and {name}={values[1]} it makes the same inputs, so every random case "
                    f"is drawn as if {name} were fixed and mistakes that mix it up go unseen.",
                    f"Read draw.sizes[{name!r}] (or draw.shape/normal with {name!r}) in `make`, "
                    "or drop the size from `sizes`.",
                )
            )
    return found


def _case_print(cases: RandomCases, sizes: dict[str, int]) -> tuple[object, ...]:
    """What one case holds, comparable: each tensor's shape and bytes, anything else's repr."""
    draw = Draw(torch.Generator().manual_seed(0), sizes, cases.dtypes[0])
    return tuple(
        (tuple(a.shape), a.detach().contiguous().numpy().tobytes())
        if isinstance(a, torch.Tensor)
        else repr(a)
        for a in cases.make(draw)
    )
