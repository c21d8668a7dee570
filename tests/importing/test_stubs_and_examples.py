"""Stubs become exercises and the asserts under them become examples."""

from __future__ import annotations

from pathlib import Path

import torch

from tensorlings import catalogue
from tensorlings.importing.cells import read_sheet
from tensorlings.importing.examples import Comparison, find_examples
from tensorlings.importing.stubs import Sheet, parse_cells


def _sheet(tmp_path: Path, code: str) -> Sheet:
    path = tmp_path / "s.md"
    path.write_text(f"# S\n\n```python\n{code}\n```\n", encoding="utf-8")
    return parse_cells(read_sheet(path))


def test_every_function_exercise_of_the_seed_sheet_is_found(seed_parsed: Sheet) -> None:
    functions = [
        e.id
        for e in catalogue.sheet().exercises
        if e.judge.kind in ("function", "sampling") and not e.id.startswith("as_strided")
    ]
    assert [stub.id for stub in seed_parsed.stubs] == functions


def test_every_seed_function_gets_an_example_or_a_sampling_check(seed_parsed: Sheet) -> None:
    findings = find_examples(seed_parsed)
    for stub in seed_parsed.stubs:
        assert findings.examples.get(stub.id) or stub.id in findings.sampling, stub.id
    assert len(findings.examples["integer_array_indexing"]) == 2


def test_assert_all_close_keeps_the_helpers_default_tolerances(seed_parsed: Sheet) -> None:
    (example,) = find_examples(seed_parsed).examples["temperatures_average"]
    assert example.comparison is Comparison.CLOSE
    assert (example.rtol, example.atol) == (1e-05, 0.0001)


def test_a_test_helper_handed_a_stub_is_followed_into(seed_parsed: Sheet) -> None:
    (example,) = find_examples(seed_parsed).examples["relu_where"]
    assert torch.equal(example.args[0], torch.tensor([-1.0, 0.0, 1.0, 2.0]))
    assert example.grad  # the helper's input has requires_grad=True


def test_a_bincount_of_draws_is_recognised_as_a_sampler(seed_parsed: Sheet) -> None:
    sampling = find_examples(seed_parsed).sampling["sample_distribution"]
    assert sampling.args[1] == 10_000_000


def test_a_random_input_or_a_property_is_skipped_with_a_note(seed_parsed: Sheet) -> None:
    notes = find_examples(seed_parsed).notes
    assert any("matrix2" in note for note in notes["batched_logsumexp"])
    assert any("property" in note for note in notes["batched_softmax"])


def test_stub_spellings_are_all_recognised(tmp_path: Path) -> None:
    sheet = _sheet(
        tmp_path,
        "def a(x):\n    pass\n\ndef b(x):\n    ...\n\ndef c(x):\n    raise NotImplementedError\n\n"
        "def d(x):\n    # TODO: your code\n    return None\n\n"
        "def e(x):\n    out = x + 1  # TODO: check it\n    return out\n\n"
        "def helper(x):\n    return x * 2\n",
    )
    assert [s.id for s in sheet.stubs] == ["a", "b", "c", "d", "e"]
    assert [s.template for s in sheet.stubs] == [False, False, False, False, True]
    assert list(sheet.helpers) == ["helper"]


def test_loops_over_cases_and_testing_assert_close_give_examples(tmp_path: Path) -> None:
    sheet = _sheet(
        tmp_path,
        "import torch\n\ndef f(x):\n    pass\n\n"
        "for x, y in [(1, 2), (3, 4)]:\n    assert f(x) == y\n"
        "torch.testing.assert_close(f(torch.tensor([1.0])), torch.tensor([2.0]), "
        "rtol=0.1, atol=0.2)\n"
        "assert f(5).tolist() == [6]\n",
    )
    found = find_examples(sheet).examples["f"]
    assert [e.args for e in found[:2]] == [(1,), (3,)] and [e.expected for e in found[:2]] == [2, 4]
    assert (found[2].rtol, found[2].atol) == (0.1, 0.2)
    assert found[3].expected == [6]


def test_hostile_example_arguments_are_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    sheet = _sheet(
        tmp_path,
        f"def f(x):\n    pass\n\nassert f(open({str(marker)!r}, 'w')) == 1\n",
    )
    findings = find_examples(sheet)
    assert not marker.exists() and not findings.examples.get("f")
    assert any("not evaluated" in note for note in findings.notes["f"])
