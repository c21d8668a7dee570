"""Every declared mistake is recognised on its own output and named in the message; correct
outputs never are; the generic recognisers fire on what they describe and on nothing else.

These run in-process on the judge's functions with outputs made here, as the worker would send
them back; the end-to-end tests with learner files are in test_tiers_and_mistakes.py.
"""

from __future__ import annotations

import pytest
import torch

from tensorlings import catalogue
from tensorlings.checker import judge, mistakes, special
from tensorlings.checker.probes import Probe, clone_args, plan
from tensorlings.exercise import Exercise, Family, Judge, Mistake
from tensorlings.worker import encoding

FUNCTION_MISTAKES = [
    (exercise, mistake)
    for exercise in catalogue.exercises()
    if exercise.judge is Judge.FUNCTION
    for mistake in exercise.mistakes
]
SAMPLING = catalogue.get("sample_distribution")


def _reply(value: object) -> dict[str, object]:
    return {"status": "ok", "output": encoding.encode(value), "mutated": [], "calls": {}}


def _contract_probes(exercise: Exercise) -> list[Probe]:
    return [p for p in plan(exercise, 0) if exercise.tiers.fails(p.family)]


def _problem_for(exercise: Exercise, probe: Probe, mistake: Mistake):
    try:
        with torch.no_grad():
            output = mistake.run(*clone_args(probe.args))
    except Exception as error:
        result = {"status": "error", "error": {"type": type(error).__name__, "message": str(error)}}
        return judge.error_problem(exercise, probe, result, _NoSource())
    problems = judge.output_problems(exercise, probe, _reply(output))
    return problems[0] if problems else None


class _NoSource:
    def line_text(self, line: int) -> str:
        return ""

    def where(self, line: int) -> str:
        return f"line {line}"


@pytest.mark.parametrize(
    ("exercise", "mistake"),
    FUNCTION_MISTAKES,
    ids=[f"{e.id}-{m.name.replace(' ', '_')}" for e, m in FUNCTION_MISTAKES],
)
def test_declared_mistake_is_named_on_the_contract_probes(exercise: Exercise, mistake: Mistake):
    named = []
    for probe in _contract_probes(exercise):
        problem = _problem_for(exercise, probe, mistake)
        if problem is not None:
            named.append(problem.mistake)
    assert named, f"{mistake.name!r} is never wrong on the contract probes: it cannot be caught"
    assert mistake.name in named, f"{mistake.name!r} was taken for {set(named)}"
    problem = next(
        p
        for p in (_problem_for(exercise, probe, mistake) for probe in _contract_probes(exercise))
        if p is not None and p.mistake == mistake.name
    )
    assert problem.fails
    assert f"this is what {mistake.name} gives" in problem.message


@pytest.mark.parametrize("exercise", catalogue.exercises(), ids=lambda e: e.id)
def test_reference_output_is_never_taken_for_a_mistake(exercise: Exercise):
    if exercise.judge is not Judge.FUNCTION:
        return
    for probe in plan(exercise, 0):
        assert judge.output_problems(exercise, probe, _reply(probe.expected)) == []


def test_every_function_exercise_with_cases_declares_mistakes_or_has_none_to_declare():
    # The rearranges and the strided answers have no inputs to be wrong about; the rest do.
    undeclared = [
        e.id
        for e in catalogue.exercises()
        if e.judge in (Judge.FUNCTION, Judge.SAMPLING) and e.cases and not e.mistakes
    ]
    assert undeclared == ["gather_2d"]  # its body is given: only the learner's asserts vary


@pytest.mark.parametrize("mistake", SAMPLING.mistakes, ids=lambda m: m.name.replace(" ", "_"))
def test_sampling_mistake_is_named_from_its_frequencies(mistake: Mistake):
    probe = special.sampling_probes(0)[0]
    probs, n = probe.args
    distribution = mistake.run(probs.double())
    generator = torch.Generator().manual_seed(1)
    samples = torch.multinomial(distribution.float(), n, replacement=True, generator=generator)
    problems = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert problems, f"{mistake.name} passed the statistical tests"
    assert problems[0].mistake == mistake.name
    assert mistake.name in problems[0].message


def test_correct_samples_are_neither_failed_nor_named():
    for probe in special.sampling_probes(3):
        probs, n = probe.args
        if probe.family is Family.UNNORMALISED or n == 0:
            continue
        generator = torch.Generator().manual_seed(7)
        samples = torch.multinomial(probs.double(), n, replacement=True, generator=generator)
        assert special.sampling_problems(SAMPLING, probe, _reply(samples)) == [], probe.label


def test_sorted_samples_are_not_random():
    probe = special.sampling_probes(0)[0]
    probs, n = probe.args
    generator = torch.Generator().manual_seed(2)
    samples = torch.multinomial(probs, n, replacement=True, generator=generator).sort().values
    (problem,) = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert "sorted order" in problem.message


def test_evenly_spaced_quantiles_are_not_random():
    probe = special.sampling_probes(0)[0]
    probs, n = probe.args
    quantiles = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    samples = torch.searchsorted(probs.double().cumsum(0), quantiles, right=True)
    samples = samples[torch.randperm(n, generator=torch.Generator().manual_seed(0))]
    (problem,) = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert "in proportion" in problem.message


def test_the_same_draws_under_two_seeds_are_not_random():
    probes = special.sampling_probes(0)
    fixed = torch.zeros(2000, dtype=torch.int64)
    outputs = [fixed if p.label.startswith("the sheet's distribution, ") else None for p in probes]
    problem = special.same_draws_problem(SAMPLING, probes, outputs)
    assert problem is not None and "two different random seeds" in problem.message


# --- Generic recognisers -------------------------------------------------------------------


def _probe(exercise_id: str, family: Family = Family.RANDOM) -> tuple[Exercise, Probe]:
    exercise = catalogue.get(exercise_id)
    probe = next(p for p in plan(exercise, 0) if p.family is family and p.expected.numel() > 4)
    return exercise, probe


def test_transposed_output_is_recognised():
    exercise = catalogue.get("collect_columns")
    probe = next(
        p
        for p in plan(exercise, 0)
        if p.family is Family.RANDOM and p.expected.shape[0] != p.expected.shape[1] > 1
    )
    found = mistakes.generic(exercise, probe, probe.expected.T.contiguous())
    assert found is not None and found.name == "transposed output"


def test_off_by_one_size_is_recognised():
    exercise, probe = _probe("collect_rows")
    found = mistakes.generic(exercise, probe, probe.expected[:-1])
    assert found is not None and found.name == "off-by-one size"
    assert "exclusive" in found.explain


def test_constant_output_is_recognised():
    exercise, probe = _probe("batched_softmax")
    found = mistakes.generic(exercise, probe, torch.full_like(probe.expected, 0.25))
    assert found is not None and found.name == "constant output"


def test_the_sheets_answer_for_every_input_is_recognised():
    exercise = catalogue.get("total_price_indexing")
    probe = next(p for p in plan(exercise, 0) if p.family is Family.RANDOM)
    found = mistakes.generic(exercise, probe, torch.tensor(9.0))
    assert found is not None and found.name == "the sheet's answer"


def test_generic_recognisers_stay_quiet_on_an_unrelated_wrong_answer():
    exercise, probe = _probe("batched_softmax")
    noisy = probe.expected + torch.linspace(0.1, 0.2, probe.expected.numel()).view_as(
        probe.expected
    )
    assert mistakes.generic(exercise, probe, noisy) is None


def test_code_right_only_on_the_sheets_sizes_is_named_across_probes():
    exercise = catalogue.get("temperatures_average")
    probes = _contract_probes(exercise)
    wrong = judge.Problem("exception", "temperatures_average(...) raised RuntimeError")
    pairs = [(p, [] if p.family is Family.EXAMPLES else [wrong]) for p in probes]
    outputs = [None] * len(probes)
    (problem,) = mistakes.across_probes(exercise, pairs, outputs, [wrong])
    assert problem.mistake == "code that is right only on the sheet's sizes"
    assert "(21,)" in problem.message


def test_one_answer_for_different_inputs_is_named_across_probes():
    exercise = catalogue.get("total_price_indexing")  # every answer is 0-d: shapes always match
    probes = [p for p in _contract_probes(exercise) if p.family is Family.RANDOM][:4]
    wrong = judge.Problem("wrong_values", "total_price_indexing(...): wrong values")
    pairs = [(p, [wrong]) for p in probes]
    outputs = [torch.tensor(5.0) for _ in probes]
    (problem,) = mistakes.across_probes(exercise, pairs, outputs, [wrong])
    assert problem.mistake == "an answer that ignores the input"


def test_huge_sample_values_are_judged_without_a_huge_count_table():
    probe = special.sampling_probes(0)[0]
    _, n = probe.args
    samples = torch.full((n,), 2**62, dtype=torch.int64)
    (problem,) = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert problem.mistake is None
    assert "returned index 4611686018427387904" in problem.message
