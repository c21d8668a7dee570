"""`pack check`'s engine on deliberately weak exercises: each weakness is found, named and
explained, and a sound exercise (and both built-in packs) come out clean."""

from __future__ import annotations

import dataclasses
import importlib
import json

import pytest
import torch

from tensorlings import catalogue
from tensorlings.authoring.findings import by_kind, render_lines, to_json
from tensorlings.authoring.judging import first_failure
from tensorlings.authoring.mutations import derive
from tensorlings.authoring.soundness import check_exercise, check_pack
from tensorlings.checker.probes import plan
from tensorlings.exercise import (
    Call,
    Draw,
    DtypePolicy,
    Example,
    Exercise,
    Family,
    Mistake,
    OutputPolicy,
    RandomCases,
    Rules,
    SpecialInput,
    Tiers,
)
from tensorlings.packs import from_scratch


def lower(matrix: torch.Tensor) -> torch.Tensor:
    rows = torch.arange(matrix.shape[0])[:, None]
    cols = torch.arange(matrix.shape[1])
    return torch.where(cols <= rows, matrix, matrix.new_zeros(()))


def lower_with_loop(matrix: torch.Tensor) -> torch.Tensor:
    out = matrix.clone()
    for row in range(matrix.shape[0]):
        out[row, row + 1 :] = 0
    return out


def _rectangles(d: Draw) -> tuple[torch.Tensor]:
    return (d.normal("n", "m"),)


def _squares(d: Draw) -> tuple[torch.Tensor]:
    return (d.normal("n", "n"),)  # the author meant ("n", "m")


_EXAMPLE = Example((torch.arange(1.0, 7.0).view(2, 3),), torch.tensor([[1.0, 0, 0], [4, 5, 0]]))

SOUND = Exercise(
    id="lower",
    section="test",
    title="The lower triangle",
    prompt="Given a matrix of shape (n, m), zero every entry above the diagonal.",
    solution=lower,
    hints=("Which entries have a column index greater than their row index?",),
    examples=(_EXAMPLE,),
    cases=RandomCases(make=_rectangles, sizes={"n": (1, 5), "m": (1, 6)}),
    shapes={"matrix": "(n, m)", "returns": "(n, m)"},
    mistakes=(Mistake("the upper triangle", "Flip the comparison.", lambda m: torch.triu(m)),),
)


def _kinds(exercise: Exercise) -> list[str]:
    findings, _ = check_exercise(exercise)
    return [f.kind for f in findings]


def test_a_sound_exercise_has_no_finding_and_its_mutants_are_counted() -> None:
    findings, count = check_exercise(SOUND)
    assert findings == []
    assert count is not None and count.tried >= 10 and count.caught == count.tried


def test_square_random_cases_let_the_swapped_sizes_mutant_through_and_say_why() -> None:
    square_example = Example(
        (torch.arange(1.0, 10.0).view(3, 3),), lower(torch.arange(1.0, 10.0).view(3, 3))
    )
    weak = dataclasses.replace(
        SOUND,
        examples=(square_example,),
        cases=RandomCases(make=_squares, sizes={"n": (1, 5)}),
    )
    findings, _ = check_exercise(weak)
    survivors = by_kind(findings, "mutant_survives")
    assert survivors, findings
    swapped = [f for f in survivors if "sizes of axes 0 and 1 exchanged" in f.message]
    assert swapped, [f.message for f in survivors]
    assert "your random cases are all square" in swapped[0].message
    assert "n == m" in swapped[0].message
    assert "separate sizes" in swapped[0].advice


def test_only_one_example_and_no_random_cases_lets_a_constant_answer_through() -> None:
    weak = dataclasses.replace(SOUND, cases=None)
    findings, _ = check_exercise(weak)
    constant = [
        f for f in by_kind(findings, "mutant_survives") if "first probe's answer" in f.message
    ]
    assert constant, findings
    assert "only 1 example(s) and no random cases" in constant[0].message


def test_a_declared_mistake_that_does_not_fail_is_reported() -> None:
    harmless = Mistake("a clone too many", "Harmless.", lambda m: lower(m.clone()))
    weak = dataclasses.replace(SOUND, mistakes=(*SOUND.mistakes, harmless))
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "mistake_passes")
    assert "'a clone too many'" in finding.message


def test_a_declared_mistake_whose_name_never_reaches_the_message_is_reported() -> None:
    twin = Mistake("the upper triangle again", "Same outputs.", lambda m: m.triu())
    weak = dataclasses.replace(SOUND, mistakes=(*SOUND.mistakes, twin))
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "mistake_unnamed")
    assert "'the upper triangle again'" in finding.message
    assert "the upper triangle gives" in finding.message  # the first mistake took the name


def test_a_duplicate_id_is_reported_once() -> None:
    report = check_pack([SOUND, dataclasses.replace(SOUND, title="Another")])
    (finding,) = by_kind(report.findings, "duplicate_id")
    assert finding.exercise_id == "lower" and "2 exercises" in finding.message


def test_missing_hints_prompt_and_examples_are_reported() -> None:
    weak = dataclasses.replace(SOUND, hints=(" ",), prompt="", examples=())
    kinds = _kinds(weak)
    assert {"missing_hints", "missing_prompt", "missing_examples"} <= set(kinds)


def test_a_reference_that_calls_what_its_rules_forbid_is_reported() -> None:
    weak = dataclasses.replace(SOUND, rules=Rules(forbidden=(Call("torch.where", ("where",)),)))
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "reference_breaks_rules")
    assert "forbidden_call" in finding.message and "where" in finding.message


def test_a_reference_with_a_loop_under_a_no_loops_rule_is_reported() -> None:
    weak = dataclasses.replace(SOUND, solution=lower_with_loop, rules=Rules(no_loops=True))
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "reference_breaks_rules")
    assert "uses_loop" in finding.message


def test_a_reference_that_disagrees_with_its_example_is_reported() -> None:
    wrong = Example(_EXAMPLE.args, torch.zeros(2, 3))
    findings, count = check_exercise(dataclasses.replace(SOUND, examples=(wrong,)))
    assert "reference_fails" in [f.kind for f in findings]
    assert count is None  # no audit of a reference that is itself wrong


def test_a_case_maker_that_raises_is_a_finding_not_a_crash() -> None:
    def broken(d: Draw) -> tuple[torch.Tensor]:
        raise ValueError("no such size")

    weak = dataclasses.replace(SOUND, cases=RandomCases(make=broken, sizes={"n": (1, 3)}))
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "reference_fails")
    assert "no such size" in finding.message


def test_a_stub_whose_starter_is_not_python_is_reported() -> None:
    assert "stub_judged_started" in _kinds(dataclasses.replace(SOUND, starter="x = ("))


def test_a_cast_the_output_policy_accepts_is_skipped_not_reported() -> None:
    lenient = dataclasses.replace(SOUND, output=OutputPolicy(dtype=DtypePolicy.FLOATING))
    strict_findings, strict = check_exercise(SOUND)
    lenient_findings, loose = check_exercise(lenient)
    assert strict_findings == lenient_findings == []
    assert strict is not None and loose is not None
    assert loose.skipped == strict.skipped + 1  # float64 is accepted; int64 is still caught


def test_findings_render_one_per_line_and_as_json() -> None:
    report = check_pack([SOUND, dataclasses.replace(SOUND, id="lower_2", hints=())])
    lines = render_lines(report)
    assert lines[0].startswith("lower_2: missing_hints: ") and " Fix: " in lines[0]
    assert lines[-1].startswith("2 exercises checked in ")
    data = json.loads(json.dumps(to_json(report)))
    assert data["schema"] == "tensorlings.pack_check/1" and data["clean"] is False
    assert data["findings"][0]["kind"] == "missing_hints"
    assert {"tried", "caught", "survived", "skipped"} <= set(data["audit"][0])


def _from_scratch() -> list[Exercise]:
    modules = [
        importlib.import_module(f"tensorlings.packs.from_scratch.{name}")
        for name in from_scratch.SECTIONS
    ]
    return [ex for module in modules for ex in module.EXERCISES]


@pytest.mark.parametrize("pack", ["sheet", "from_scratch"])
def test_the_built_in_packs_are_sound(pack: str) -> None:
    exercises = list(catalogue.exercises()) if pack == "sheet" else _from_scratch()
    report = check_pack(exercises)
    assert report.findings == (), "\n".join(render_lines(report))
    assert sum(a.tried for a in report.audits) > 200


def _pack_exercise(exercise_id: str) -> Exercise:
    return {ex.id: ex for ex in _from_scratch()}[exercise_id]


def test_without_its_single_column_case_roll_lets_a_squeeze_through_under_seed_0() -> None:
    """The real finding that made roll get a single-column contract input: seed 0's random
    cases never have one column, so a squeeze() of the result went unseen. Other seeds draw
    one, so the verdict depended on the seed: it is reported as such, with the input."""
    weak = dataclasses.replace(_pack_exercise("roll"), special_inputs=())
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "seed_dependent")
    assert "axis 1 squeezed away" in finding.message
    assert "(seeds 0)" in finding.message  # the one seed of 16 that lets it through
    assert "n=1" in finding.message  # the input that shows it
    assert "SpecialInput(Family.RANDOM" in finding.advice


def test_gradients_in_the_contract_that_no_probe_checks_let_a_detached_answer_through() -> None:
    weak = dataclasses.replace(SOUND, tiers=Tiers.contract_also(Family.GRADIENTS))
    findings, _ = check_exercise(weak)
    (finding,) = by_kind(findings, "mutant_survives")
    assert "detached from the graph" in finding.message
    assert "no contract probe checks them" in finding.message


def test_a_detached_answer_is_caught_where_gradients_are_probed() -> None:
    assert SOUND.cases is not None
    probed = dataclasses.replace(
        SOUND,
        tiers=Tiers.contract_also(Family.GRADIENTS),
        cases=dataclasses.replace(SOUND.cases, grad_args=(0,)),
    )
    findings, count = check_exercise(probed)
    assert findings == [] and count is not None and count.caught == count.tried


def test_an_answer_that_changes_its_input_in_place_is_caught_as_mutation() -> None:
    contract = [p for p in plan(SOUND, 0) if SOUND.tiers.fails(p.family)]
    (mutant,) = [m for m in derive(SOUND, contract) if m.kind == "mutates_input"]
    problem = first_failure(SOUND, mutant.function, contract)
    assert problem is not None and problem.kind == "mutates_input"


def test_a_reference_the_workbook_cannot_write_out_is_still_judged() -> None:
    wrapped = dataclasses.replace(SOUND, solution=lambda matrix: lower(matrix))
    findings, count = check_exercise(wrapped)
    assert findings == [] and count is not None and count.tried >= 10


def test_every_finding_kind_is_explained_in_the_docs() -> None:
    from pathlib import Path

    from tensorlings.authoring.findings import KINDS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "pack-check.md").read_text()
    assert [kind for kind in KINDS if f"| `{kind}` |" not in docs] == []


def test_a_declared_size_the_case_maker_never_reads_is_reported() -> None:
    tied = dataclasses.replace(
        SOUND, cases=RandomCases(make=_squares, sizes={"n": (1, 5), "m": (1, 6)})
    )
    findings, _ = check_exercise(tied)
    unused = by_kind(findings, "size_unused")
    assert [f.exercise_id for f in unused] == ["lower"]
    assert "'m'" in unused[0].message and "draw.sizes['m']" in unused[0].advice
    assert not by_kind(check_exercise(SOUND)[0], "size_unused")  # both sizes read: nothing


def _doubled_with_five_rows(matrix: torch.Tensor) -> torch.Tensor:
    return lower(matrix) * 2 if matrix.shape[0] == 5 else lower(matrix)


def test_a_mistake_caught_only_on_some_draws_is_seed_dependent_with_the_input_to_fix() -> None:
    rare = Mistake("doubling five rows", "Do not double.", _doubled_with_five_rows)
    weak = dataclasses.replace(SOUND, mistakes=(*SOUND.mistakes, rare))
    findings, _ = check_exercise(weak)
    (finding,) = findings
    assert finding.kind == "seed_dependent"
    assert "the declared mistake 'doubling five rows'" in finding.message
    assert "of 16 seeds (seeds 1, 2," in finding.message  # the seeds that let it through
    assert "n=5" in finding.message  # the input that caught it under another seed
    assert "SpecialInput(Family.RANDOM, <label>, (torch.tensor([[" in finding.advice
    five_rows = SpecialInput(Family.RANDOM, "five rows", (torch.arange(10.0).view(5, 2),))
    fixed = dataclasses.replace(weak, special_inputs=(five_rows,))
    assert check_exercise(fixed)[0] == []  # the fixed input decides it under every seed


def _lower_refusing_the_largest(matrix: torch.Tensor) -> torch.Tensor:
    if tuple(matrix.shape) == (5, 6):
        raise ValueError("too large")
    return lower(matrix)


def test_a_reference_that_raises_under_some_seeds_only_is_seed_dependent() -> None:
    fragile = dataclasses.replace(SOUND, solution=_lower_refusing_the_largest, mistakes=())
    findings = [f for f in check_exercise(fragile)[0] if f.kind == "seed_dependent"]
    assert [f.message.split(":")[0] for f in findings] == [
        "the reference fails its own checker under seeds 6, 11 of 16"
    ]
    assert "ValueError: too large" in findings[0].message
