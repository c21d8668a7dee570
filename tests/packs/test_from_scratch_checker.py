"""The full checker's verdicts on the from_scratch pack, run in-process the way
`tensorlings.check(fn)` runs them: references and other correct solutions pass with no note at
all, and every known mistake fails under its own name.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import einops
import pytest
import torch
from from_scratch_helpers import BY_ID, EXERCISES, TORCH
from from_scratch_mutants import mutants
from from_scratch_variants import LOOPING, NOTED_VARIANTS, VARIANTS

from tensorlings.checker import exercise_judges, facts_reader
from tensorlings.checker import facts as facts_module
from tensorlings.checker.results import ExerciseResult
from tensorlings.checker.sandbox import Limits
from tensorlings.exercise import DtypePolicy, Exercise, Family, Mistake
from tensorlings.interactive import InProcessRunner

MISTAKES = [(ex, mistake) for ex in EXERCISES for mistake in ex.mistakes]

# Wrong answers no exercise declares, made from the right one: the checker's probes must tell
# each from the reference (the probes are the pack's, so this tests the pack as much as the
# checker).
Distortion = Callable[[torch.Tensor], torch.Tensor]
DISTORTIONS: dict[str, Distortion] = {
    "zeros everywhere": torch.zeros_like,
    "the last entry along the last axis dropped": lambda out: out[..., :-1],
    "shifted by one along the last axis": lambda out: out.roll(1, dims=-1),
    "the last axis reversed": lambda out: out.flip(-1),
}
TWO_D_DISTORTIONS: dict[str, Distortion] = {"transposed": lambda out: out.transpose(0, 1)}
WITH_2D_OUTPUT = [ex for ex in EXERCISES if ex.examples[0].expected.dim() == 2]


@pytest.fixture(autouse=True)
def unwrapped_einops(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each InProcessRunner wraps einops' functions once more, for good; hundreds of checks
    would leave every later einops call hundreds of wrappers deep. Undo them after each test."""
    for name in ("rearrange", "reduce", "repeat", "einsum", "pack", "unpack"):
        if hasattr(einops, name):
            monkeypatch.setattr(einops, name, getattr(einops, name))
    yield


def static_view(ex: Exercise, fn: Callable[..., Any]) -> facts_module.Facts:
    """The record of fn's file, as the checker reads a workbook, with fn under the exercise's
    id; a lambda (a declared mistake) has no definition to read."""
    tree = ast.parse(Path(fn.__code__.co_filename).read_text(encoding="utf-8"))
    facts = facts_reader.build(tree.body)
    if fn.__name__ not in facts.functions:
        return facts_module.Facts()
    return facts.aliased(ex.id, fn.__name__)


def judged(ex: Exercise, fn: Callable[..., Any]) -> ExerciseResult:
    runner = InProcessRunner(fn, ex.id, Limits())
    return exercise_judges.judge_exercise(ex, runner, static_view(ex, fn), seed=0, device="cpu")


def describe(result: ExerciseResult) -> list[str]:
    return [f"{p.kind}: {p.message}" for p in result.problems]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_passes_the_full_checker_without_notes(ex: Exercise) -> None:
    result = judged(ex, ex.solution)
    assert (result.status, describe(result)) == ("passed", [])


@pytest.mark.parametrize(
    ("exercise_id", "solution"), VARIANTS, ids=[f"{i}-{fn.__name__}" for i, fn in VARIANTS]
)
def test_another_correct_solution_passes_without_notes(
    exercise_id: str, solution: Callable[..., Any]
) -> None:
    result = judged(BY_ID[exercise_id], solution)
    assert (result.status, describe(result)) == ("passed", [])


@pytest.mark.parametrize("exercise_id", sorted(NOTED_VARIANTS))
def test_a_mask_multiply_passes_with_a_note_about_infinite_entries(exercise_id: str) -> None:
    result = judged(BY_ID[exercise_id], NOTED_VARIANTS[exercise_id])
    assert result.status == "passed"
    assert [(p.kind, p.fails) for p in result.problems] == [("edge_case", False)]
    assert Family.INFINITE.words in result.problems[0].message


@pytest.mark.parametrize("exercise_id", sorted(LOOPING))
def test_a_right_answer_made_by_a_python_loop_fails_the_loop_rule(exercise_id: str) -> None:
    result = judged(BY_ID[exercise_id], LOOPING[exercise_id])
    assert result.status == "failed"
    # Iterating over a tensor also calls unbind, which is not on the list: a second problem.
    assert "uses_loop" in {p.kind for p in result.problems if p.fails}, describe(result)


def test_every_exercise_has_another_correct_solution() -> None:
    assert {exercise_id for exercise_id, _ in VARIANTS} == set(BY_ID)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_calling_the_rebuilt_torch_function_fails_on_the_rule_alone(ex: Exercise) -> None:
    result = judged(ex, TORCH[ex.id])
    assert result.status == "failed"
    kinds = {p.kind for p in result.problems if p.fails}
    # masked_mean's row-by-row answer also loops: the loop rule speaks up as well.
    assert "forbidden_call" in kinds and kinds <= {"forbidden_call", "uses_loop"}, describe(result)


@pytest.mark.parametrize(
    ("ex", "mistake"), MISTAKES, ids=[f"{ex.id}-{m.name}" for ex, m in MISTAKES]
)
def test_known_mistake_fails_the_checker_under_its_own_name(ex: Exercise, mistake: Mistake) -> None:
    result = judged(ex, mistake.run)
    assert result.status == "failed"
    named = [p for p in result.problems if p.fails and p.mistake == mistake.name]
    assert named, describe(result)
    assert mistake.name in named[0].message and mistake.explain in named[0].message


def distorted(ex: Exercise, distortion: Distortion) -> Callable[..., Any]:
    def wrong(*args: Any) -> Any:
        return distortion(ex.solution(*args))

    return wrong


@pytest.mark.parametrize("name", sorted(DISTORTIONS))
@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_a_distorted_right_answer_fails_the_checker(ex: Exercise, name: str) -> None:
    result = judged(ex, distorted(ex, DISTORTIONS[name]))
    assert result.status == "failed", describe(result)


@pytest.mark.parametrize("ex", WITH_2D_OUTPUT, ids=lambda ex: ex.id)
def test_a_transposed_right_answer_fails_the_checker(ex: Exercise) -> None:
    result = judged(ex, distorted(ex, TWO_D_DISTORTIONS["transposed"]))
    assert result.status == "failed", describe(result)


@pytest.mark.parametrize(
    "ex", [ex for ex in EXERCISES if ex.output.dtype is DtypePolicy.SAME], ids=lambda ex: ex.id
)
def test_the_right_values_in_another_dtype_fail_where_the_dtype_must_match(ex: Exercise) -> None:
    # The habit of ending with .float() or .double(): right values, another dtype.
    other = {torch.float64: torch.float32}
    result = judged(ex, distorted(ex, lambda out: out.to(other.get(out.dtype, torch.float64))))
    assert result.status == "failed", describe(result)
    assert "wrong_dtype" in {p.kind for p in result.problems}, describe(result)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_every_one_change_mutant_of_the_reference_fails_the_checker(ex: Exercise) -> None:
    made = mutants(ex.solution)
    assert made, "no mutant could be made: the audit would prove nothing"
    survivors = [m.label for m in made if judged(ex, m.function).status == "passed"]
    assert survivors == []
