"""Warnings torch raises because of an input the checker chose are not the learner's output;
a warning the learner's code raises on the sheet's own examples is shown, on one clean line."""

from __future__ import annotations

from tensorlings.checker.exercise_judges import learner_output, without_warnings

STD_WARNING = (
    "/w/workbook.py:5: UserWarning: std(): degrees of freedom is <= 0. (Triggered internally "
    "at /__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)\n"
    "  return (temps - temps.mean()) / temps.std()\n"
)


def test_a_probes_warnings_are_dropped_and_its_prints_kept():
    printed = "before\n" + STD_WARNING + "after\n"
    assert without_warnings(printed) == "before\nafter\n"


def test_a_kept_warning_loses_torchs_internal_source_path():
    shown = learner_output(STD_WARNING)
    assert "Triggered internally" not in shown and "/__w/" not in shown
    assert "UserWarning: std(): degrees of freedom is <= 0." in shown


def test_the_empty_input_probes_warning_is_not_blamed_on_the_learner(check_source):
    results = check_source(
        "probe_warning",
        "def temperatures_normalized(temps):\n    return (temps - temps.mean()) / temps.std()\n",
    )
    assert "degrees of freedom" not in results["temperatures_normalized"].output


def test_a_warning_on_the_sheets_examples_is_shown_on_one_clean_line(check_source):
    results = check_source(
        "example_warning",
        "def relu_abs(x):\n    y = torch.tensor(x)\n    return (y + y.abs()) / 2 + 1\n",
    )
    output = results["relu_abs"].output
    assert "To copy construct from a tensor" in output
    assert all(
        len(line) < 400 and "Triggered internally" not in line for line in output.split("\n")
    )
