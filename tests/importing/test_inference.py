"""Random cases and rules inferred from what the sheet states: named dimensions, value ranges,
guard asserts, examples, and the prompt's wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorlings.importing.cases import Memory, plan_cases
from tensorlings.importing.cells import read_sheet
from tensorlings.importing.examples import find_examples
from tensorlings.importing.stubs import Sheet, parse_cells
from tensorlings.importing.wording import RuleKind, rules_from, rules_from_name


def _plans(sheet: Sheet) -> dict[str, object]:
    findings = find_examples(sheet)
    memory = Memory()
    return {s.id: plan_cases(s, findings.examples.get(s.id, []), memory) for s in sheet.stubs}


def test_a_guard_on_the_length_gives_whole_weeks_and_as_above_reuses_it(seed_parsed: Sheet) -> None:
    plans = _plans(seed_parsed)
    for name in ("temperatures_average", "temperatures_normalized"):
        assert plans[name].returns == ["draw.normal(7 * draw.sizes['groups'])"]  # type: ignore[attr-defined]


def test_a_guard_bounding_indices_draws_them_below_the_axis(seed_parsed: Sheet) -> None:
    plan = _plans(seed_parsed)["collect_rows"]
    assert plan.returns[1] == "draw.integers(0, matrix.shape[0], 'k')"  # type: ignore[attr-defined]


def test_a_docstring_range_names_the_upper_bound(seed_parsed: Sheet) -> None:
    # classifier_accuracy's guard says the same as its docstring, more precisely: it wins.
    plan = _plans(seed_parsed)["classifier_accuracy"]
    assert plan.returns[1] == "draw.integers(0, scores.shape[1], 'batch')"  # type: ignore[attr-defined]
    masks = parse_cells(read_sheet(Path(__file__).parent / "data" / "masks" / "sheet.md"))
    plan = _plans(masks)["padding_mask"]
    assert plan.returns[0] == "draw.integers(0, draw.sizes['max_len'], 'b')"  # type: ignore[attr-defined]


def test_an_ellipsis_in_a_shape_draws_any_number_of_axes_shared_by_equal_shapes(
    seed_parsed: Sheet,
) -> None:
    plan = _plans(seed_parsed)["batched_dot_product_nd"]
    assert plan.lines == ["extra = _extra_axes(draw)  # inferred: any number of trailing axes"]  # type: ignore[attr-defined]
    assert all("*extra" in r for r in plan.returns)  # type: ignore[attr-defined]


def test_an_index_with_no_stated_range_is_a_todo(seed_parsed: Sheet) -> None:
    plan = _plans(seed_parsed)["gather_2d"]
    assert any("indexes" in todo for todo in plan.todos)  # type: ignore[attr-defined]


def test_an_int_argument_with_a_guard_is_a_size_that_may_be_zero(seed_parsed: Sheet) -> None:
    plan = _plans(seed_parsed)["identity_matrix"]
    assert plan.returns == ["draw.sizes['n']"] and plan.sizes["n"][0] == 0  # type: ignore[attr-defined]


def test_no_arguments_means_no_random_cases(seed_parsed: Sheet) -> None:
    assert _plans(seed_parsed)["rearrange_1"] is None


_ONLY_TWO = {("only", "arange"), ("only", "rearrange")}


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Use only torch.arange and einops.rearrange.", _ONLY_TWO),
        ("Don't use torch.eye or similar.", {("forbidden", "eye")}),
        ("Do this without using PyTorch's logsoftmax function.", {("forbidden", "log_softmax")}),
        ("Use torch.rand and torch.cumsum to do this without any explicit loops.",
         {("required", "rand"), ("required", "cumsum"), ("no_loops", "")}),
        ("Compute the same, but use torch.gather.", {("required", "gather")}),
        ("Use integer array indexing.", {("required", "int_tensor_index")}),
        ("You can do this with a single call to reduce.", set()),
        ("Hint: use torch.gather to do the indexing.", set()),
    ],
)  # fmt: skip
def test_rules_come_from_the_prompts_wording(prompt: str, expected: set[tuple[str, str]]) -> None:
    assert {(r.kind.value, r.name) for r in rules_from(prompt)} == expected


def test_each_rule_keeps_the_sentence_it_came_from() -> None:
    (rule,) = rules_from("Some context.\n\nDon't use torch.cdist.")
    assert rule.kind is RuleKind.FORBIDDEN and rule.sentence == "Don't use torch.cdist."


def test_a_float_argument_and_positive_entries_are_drawn_as_stated(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text(
        "```python\ndef f(x, level: float):\n    '''Doc.\n\n    x: shape (b, n), "
        "positive entries.\n"
        "    '''\n    pass\n```\n",
        encoding="utf-8",
    )
    (plan,) = _plans(parse_cells(read_sheet(path))).values()
    assert plan.returns == ["draw.uniform(0.1, 2.0, 'b', 'n')", "float(draw.uniform(-2.0, 2.0))"]  # type: ignore[attr-defined]


def test_a_function_named_after_a_computation_forbids_it() -> None:
    (rule,) = rules_from_name("relu_where")
    assert rule.kind is RuleKind.FORBIDDEN and rule.name == "relu"
    assert {r.name for r in rules_from_name("batched_cross_entropy_loss")} == {"cross_entropy"}
    assert rules_from_name("collect_rows") == []


def test_dimensions_written_in_a_type_annotation_name_the_sizes(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text(
        'def f(x: TT["b", "n"], y: Float[Tensor, "b n"]) -> TT["b"]:\n    pass\n\n'
        "assert (f(torch.ones(2, 3), torch.ones(2, 3)) == torch.tensor([3.0, 3.0])).all()\n",
        encoding="utf-8",
    )
    sheet = parse_cells(read_sheet(path))
    (plan,) = _plans(sheet).values()
    assert plan.returns == ["draw.normal('b', 'n')", "draw.normal('b', 'n')"]  # type: ignore[attr-defined]
    assert len(find_examples(sheet).examples["f"]) == 1


@pytest.mark.parametrize(
    ("prompt", "symbol"),
    [
        ("Create a boolean tensor and multiply the input by it elementwise.", "*"),
        ("Use torch.mul.", "*"),
        ("Use torch.matmul.", "@"),
    ],
)
def test_a_required_arithmetic_rule_is_met_by_its_operator(prompt: str, symbol: str) -> None:
    # The recorder keeps `x * y` under "*", apart from torch.mul: a sheet asking for the
    # multiplication is answered by either spelling.
    from tensorlings.importing.rules import build_rules

    built = build_rules(rules_from(prompt), reference=None)
    assert built.source is not None and repr(symbol) in built.source
