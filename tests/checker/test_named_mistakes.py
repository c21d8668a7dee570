"""Every declared mistake is recognised on its own output and named in the message; correct
outputs never are; the generic recognisers fire on what they describe and on nothing else.

These run in-process on the judge's functions with outputs made here, as the worker would send
them back; the end-to-end tests with learner files are in test_tiers_and_mistakes.py.
"""

from __future__ import annotations

import dataclasses
import importlib

import pytest
import torch

from tensorlings import catalogue
from tensorlings.checker import mistakes, special
from tensorlings.checker.probes import Probe, plan
from tensorlings.checker.results import Problem
from tensorlings.checker.simulate import contract_probes, contract_problems
from tensorlings.checker.strategies import strategy_for
from tensorlings.exercise import Exercise, Family, Mistake
from tensorlings.messages.replies import CallResult
from tensorlings.worker import encoding

FUNCTION_MISTAKES = [
    (exercise, mistake)
    for exercise in catalogue.exercises()
    if exercise.judge.kind == "function"
    for mistake in exercise.mistakes
]
SAMPLING = catalogue.get("sample_distribution")


def _reply(value: object) -> CallResult:
    return CallResult("ok", output=encoding.encode(value))


def _contract_probes(exercise: Exercise) -> list[Probe]:
    return contract_probes(exercise)


def simulate(exercise: Exercise, learner) -> list[Problem]:
    return contract_problems(exercise, learner)


@pytest.mark.parametrize(
    ("exercise", "mistake"),
    FUNCTION_MISTAKES,
    ids=[f"{e.id}-{m.name.replace(' ', '_')}" for e, m in FUNCTION_MISTAKES],
)
def test_declared_mistake_is_named_when_the_learner_makes_it(exercise: Exercise, mistake: Mistake):
    (problem,) = simulate(exercise, mistake.run)
    assert problem.fails
    assert problem.mistake == mistake.name, problem.message
    assert f"this is what {mistake.name} gives" in problem.message


@pytest.mark.parametrize("exercise", catalogue.exercises(), ids=lambda e: e.id)
def test_reference_output_is_never_taken_for_a_mistake(exercise: Exercise):
    if exercise.judge.kind != "function":
        return
    assert simulate(exercise, exercise.solution) == []


def test_every_function_exercise_with_cases_declares_mistakes_or_has_none_to_declare():
    # The rearranges and the strided answers have no inputs to be wrong about; the rest do.
    undeclared = [
        e.id
        for e in catalogue.exercises()
        if e.judge.kind in ("function", "sampling") and e.cases and not e.mistakes
    ]
    assert undeclared == ["gather_2d"]  # its body is given: only the learner's asserts vary


@pytest.mark.parametrize("mistake", SAMPLING.mistakes, ids=lambda m: m.name.replace(" ", "_"))
def test_sampling_mistake_is_named_from_its_frequencies(mistake: Mistake):
    probe = strategy_for(SAMPLING.judge).probes(SAMPLING, 0)[0]
    probs, n = probe.args
    distribution = mistake.run(probs.double())
    generator = torch.Generator().manual_seed(1)
    samples = torch.multinomial(distribution.float(), n, replacement=True, generator=generator)
    problems = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert problems, f"{mistake.name} passed the statistical tests"
    assert problems[0].mistake == mistake.name
    assert mistake.name in problems[0].message


def test_correct_samples_are_neither_failed_nor_named():
    for probe in strategy_for(SAMPLING.judge).probes(SAMPLING, 3):
        probs, n = probe.args
        if probe.family is Family.UNNORMALISED or n == 0:
            continue
        generator = torch.Generator().manual_seed(7)
        samples = torch.multinomial(probs.double(), n, replacement=True, generator=generator)
        assert special.sampling_problems(SAMPLING, probe, _reply(samples)) == [], probe.label


def test_sorted_samples_are_not_random():
    probe = strategy_for(SAMPLING.judge).probes(SAMPLING, 0)[0]
    probs, n = probe.args
    generator = torch.Generator().manual_seed(2)
    samples = torch.multinomial(probs, n, replacement=True, generator=generator).sort().values
    (problem,) = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert "sorted order" in problem.message


def test_evenly_spaced_quantiles_are_not_random():
    probe = strategy_for(SAMPLING.judge).probes(SAMPLING, 0)[0]
    probs, n = probe.args
    quantiles = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    samples = torch.searchsorted(probs.double().cumsum(0), quantiles, right=True)
    samples = samples[torch.randperm(n, generator=torch.Generator().manual_seed(0))]
    (problem,) = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert "in proportion" in problem.message


def test_the_same_draws_under_two_seeds_are_not_random():
    probes = strategy_for(SAMPLING.judge).probes(SAMPLING, 0)
    fixed = torch.zeros(2000, dtype=torch.int64)
    outputs = [fixed if p.label.startswith("the sheet's distribution, ") else None for p in probes]
    problem = special.same_draws_problem(SAMPLING, probes, outputs, SAMPLING.judge.reseeded)
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
    assert found is not None and found.name == "an off-by-one size"
    assert "exclusive" in found.explain


def test_constant_output_is_recognised():
    exercise, probe = _probe("batched_softmax")
    found = mistakes.generic(exercise, probe, torch.full_like(probe.expected, 0.25))
    assert found is not None and found.name == "constant output"


def test_the_sheets_answer_for_every_input_is_recognised():
    exercise = catalogue.get("total_price_indexing")
    probe = next(p for p in plan(exercise, 0) if p.family is Family.RANDOM)
    found = mistakes.generic(exercise, probe, torch.tensor(9.0))
    assert found is not None and found.name == "the example's answer"


def test_generic_recognisers_stay_quiet_on_an_unrelated_wrong_answer():
    exercise, probe = _probe("batched_softmax")
    noisy = probe.expected + torch.linspace(0.1, 0.2, probe.expected.numel()).view_as(
        probe.expected
    )
    assert mistakes.generic(exercise, probe, noisy) is None


def test_code_right_only_on_the_sheets_sizes_is_named_across_probes():
    exercise = catalogue.get("temperatures_average")
    (problem,) = simulate(exercise, lambda temps: temps.reshape(3, 7).mean(dim=1))
    assert problem.mistake == "code that is right only on the example's sizes"
    assert "(21,)" in problem.message


def test_one_answer_for_different_inputs_is_named_across_probes():
    exercise = catalogue.get("batched_softmax")
    (problem,) = simulate(exercise, lambda m: torch.full_like(m, 0.5) if m.shape[-1] > 2 else m)
    assert problem.mistake in ("an answer that ignores the input", "constant output")


def test_a_coincidence_on_one_probe_names_nothing():
    # argmin gives the sheet's example the same wrong answer as argmax over the batch axis,
    # but not the random cases: no name is better than a wrong one.
    exercise = catalogue.get("classifier_accuracy")
    (problem,) = simulate(exercise, lambda s, c: (s.argmin(1) == c).float().mean())
    assert problem.mistake is None


def _weekly(temps):
    return temps.reshape(-1, 7)


def _loss_squeezed(logits, labels):
    loss = torch.logsumexp(logits, -1) - logits.gather(1, labels[:, None])[:, 0]
    return loss.reshape(-1, 1).squeeze()


GENERIC_CASES = [
    (
        "temperatures_differences",
        lambda temps: (_weekly(temps).mean(1, keepdim=True) - _weekly(temps)).reshape(-1),
        "the wrong sign",
    ),
    (
        "batched_logsumexp",
        lambda m: torch.logsumexp(m, -1, keepdim=True),
        "an extra axis of size 1",
    ),
    (
        "temperatures_differences",
        lambda temps: _weekly(temps) - _weekly(temps).mean(1, keepdim=True),
        "the right values in another shape",
    ),
    (
        "identity_matrix",
        lambda n: (torch.arange(n + 1)[:, None] == torch.arange(n + 1)).long(),
        "an off-by-one size",
    ),
    ("collect_columns", lambda m, i: m[:, i].T.contiguous(), "transposed output"),
    ("batched_cross_entropy_loss", _loss_squeezed, "squeeze() dropping an axis of size 1"),
    ("rearrange_1", lambda: torch.arange(2, 8).reshape(3, 2), "values shifted by a constant"),
]


@pytest.mark.parametrize(("exercise_id", "learner", "name"), GENERIC_CASES)
def test_generic_mistake_is_named_across_the_probes(exercise_id, learner, name):
    (problem,) = simulate(catalogue.get(exercise_id), learner)
    assert problem.mistake == name, problem.message


def test_huge_sample_values_are_judged_without_a_huge_count_table():
    probe = strategy_for(SAMPLING.judge).probes(SAMPLING, 0)[0]
    _, n = probe.args
    samples = torch.full((n,), 2**62, dtype=torch.int64)
    (problem,) = special.sampling_problems(SAMPLING, probe, _reply(samples))
    assert problem.mistake is None
    assert "returned index 4611686018427387904" in problem.message


def test_a_transposed_as_strided_answer_is_named():
    exercise = catalogue.get("as_strided_2")
    target = exercise.examples[0].expected
    size = tuple(reversed(target.shape))
    stride = tuple(reversed(exercise.judge.input.as_strided(target.shape, (5, 1)).stride()))
    (problem,) = strategy_for(exercise.judge).answer_problems(exercise, (size, stride))
    assert problem.mistake == "transposed output"
    assert "Swap the two entries of size" in problem.message


# --- The same verdict under every seed ------------------------------------------------------

SEEDS = range(8)  # as many draws as a class graded again and again might meet


def _built_in_function_exercises() -> list[Exercise]:
    from tensorlings.packs import from_scratch

    sections = [
        importlib.import_module(f"tensorlings.packs.from_scratch.{name}")
        for name in from_scratch.SECTIONS
    ]
    exercises = [*catalogue.exercises(), *(ex for m in sections for ex in m.EXERCISES)]
    # Sampling mistakes declare a distribution, judged statistically above; the rest is code.
    return [ex for ex in exercises if ex.judge.kind == "function" and ex.mistakes]


@pytest.mark.parametrize("exercise", _built_in_function_exercises(), ids=lambda e: e.id)
def test_every_declared_mistake_fails_under_its_name_whatever_the_seed(exercise: Exercise):
    missed = []
    for mistake in exercise.mistakes:
        for seed in SEEDS:
            problems = contract_problems(exercise, mistake.run, seed)
            if not problems or not problems[0].fails or problems[0].mistake != mistake.name:
                named = problems[0].mistake if problems else "passed"
                missed.append(f"{mistake.name!r} under seed {seed}: {named}")
    assert missed == []


@pytest.mark.parametrize("exercise", _built_in_function_exercises(), ids=lambda e: e.id)
def test_every_declared_mistake_fails_under_its_name_on_the_fixed_inputs_alone(
    exercise: Exercise,
):
    """Examples and special inputs are the same under every seed: each declared mistake has a
    deterministic witness among them, and random cases only add to it."""
    fixed = dataclasses.replace(exercise, cases=None)
    assert contract_problems(fixed, exercise.solution) == []
    named = []
    for mistake in exercise.mistakes:
        problems = contract_problems(fixed, mistake.run)
        named.append(problems[0].mistake if problems else None)
    assert named == [m.name for m in exercise.mistakes]


@pytest.mark.parametrize("exercise", _built_in_function_exercises(), ids=lambda e: e.id)
def test_the_reference_passes_whatever_the_seed(exercise: Exercise):
    assert [seed for seed in SEEDS if contract_problems(exercise, exercise.solution, seed)] == []


def _log_of_softmax(matrix: torch.Tensor) -> torch.Tensor:
    shifted = matrix - matrix.max(dim=-1, keepdim=True).values
    return (shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)).log()


def _mean_shifted_softmax(matrix: torch.Tensor) -> torch.Tensor:
    exps = (matrix - matrix.mean(dim=1, keepdim=True)).exp()
    return exps / exps.sum(dim=1, keepdim=True)


def _mean_shifted_logsumexp(matrix: torch.Tensor) -> torch.Tensor:
    mean = matrix.mean(-1, keepdim=True)
    return torch.log(torch.sum(torch.exp(matrix - mean), -1)) + mean[:, 0]


def _cross_entropy_through_softmax(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    picked = _log_of_softmax(logits)[torch.arange(len(labels)), labels]
    return -picked


@pytest.mark.parametrize(
    ("exercise_id", "learner", "name"),
    [
        ("batched_logsoftmax", _log_of_softmax, "the log of a softmax"),
        ("batched_cross_entropy_loss", _cross_entropy_through_softmax, "the log of a softmax"),
        (
            "batched_softmax",
            _mean_shifted_softmax,
            "shifting by the row's mean instead of its maximum",
        ),
        (
            "batched_logsumexp",
            _mean_shifted_logsumexp,
            "shifting by the row's mean instead of its maximum",
        ),
    ],
    ids=["log_softmax", "cross_entropy", "softmax_mean", "logsumexp_mean"],
)
def test_semi_stable_numerics_fail_on_the_fixed_wide_rows_whatever_the_seed(
    exercise_id: str, learner, name: str
):
    """Written as learners write them (not as the declared mistakes are): each fails on the
    fixed rows with a wide spread under every seed, named; they passed 3 seeds in 8 before."""
    exercise = catalogue.get(exercise_id)
    for seed in SEEDS:
        (problem,) = contract_problems(exercise, learner, seed)
        assert problem.mistake == name, (seed, problem.message)
    # The fixed inputs alone decide it: without any random case it still fails, named.
    (fixed_only,) = contract_problems(dataclasses.replace(exercise, cases=None), learner)
    assert fixed_only.mistake == name, fixed_only.message


def _softmax_max_without_keepdim(matrix: torch.Tensor) -> torch.Tensor:
    exps = torch.exp(matrix - torch.max(matrix, dim=-1).values)
    return exps / exps.sum(-1, keepdim=True)


def _collect_rows_gathering_dim_1(matrix: torch.Tensor, row_indexes: torch.Tensor):
    index = row_indexes.unsqueeze(-1).expand(len(row_indexes), matrix.size(1))
    return torch.gather(matrix, 1, index)


def _collect_columns_gathering_dim_0(matrix: torch.Tensor, column_indexes: torch.Tensor):
    return torch.gather(matrix, 0, column_indexes.repeat(matrix.shape[0], 1))


def _loss_gathering_dim_0(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -torch.gather(log_probs, 0, labels[:, None])[:, 0]


def _loss_gathering_logits_dim_0(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    # The reference's route, log-sum-exp minus the true logit, with the axis slipped.
    row_max = logits.amax(dim=1, keepdim=True)
    shift = torch.where(row_max.isfinite(), row_max, 0.0)
    lse = (logits - shift).exp().sum(dim=1).log() + shift[:, 0]
    return lse - logits.gather(0, labels.unsqueeze(1)).squeeze(1)


@pytest.mark.parametrize(
    ("exercise_id", "learner", "name"),
    [
        ("batched_softmax", _softmax_max_without_keepdim, "a row maximum without keepdim"),
        ("collect_rows", _collect_rows_gathering_dim_1, "gathering along dim 1"),
        ("collect_columns", _collect_columns_gathering_dim_0, "gathering along dim 0"),
        ("batched_cross_entropy_loss", _loss_gathering_dim_0, "gathering along dim 0"),
        ("batched_cross_entropy_loss", _loss_gathering_logits_dim_0, "gathering along dim 0"),
    ],
    ids=[
        "softmax_max_no_keepdim",
        "collect_rows",
        "collect_columns",
        "cross_entropy",
        "cross_entropy_logits",
    ],
)
def test_a_classic_axis_mistake_is_named_as_learners_write_it(exercise_id, learner, name):
    exercise = catalogue.get(exercise_id)
    for seed in SEEDS:
        (problem,) = contract_problems(exercise, learner, seed)
        assert problem.mistake == name, (seed, problem.message)
        assert "right only on the example's sizes" not in problem.message
    (fixed_only,) = contract_problems(dataclasses.replace(exercise, cases=None), learner)
    assert fixed_only.mistake == name, fixed_only.message
