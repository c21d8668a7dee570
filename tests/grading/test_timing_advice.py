"""`grade` measures and reports the coach's timing advice only when asked: the config's
`timing_advice` or --timing-advice; a check's settings say so in their key."""

from __future__ import annotations

import argparse

from tensorlings.grading.checking import CheckSettings
from tensorlings.grading.cli import add_grade_parser, settings
from tensorlings.grading.config import GradingConfig, parse_config
from tensorlings.grading.grade import _timing_advice


def test_grading_leaves_timing_advice_out_by_default() -> None:
    config, check = _timing_advice(GradingConfig(), CheckSettings())
    assert not config.timing_advice and not check.timing_advice


def test_the_config_asks_for_timing_advice_in_checks_and_reports() -> None:
    asked = parse_config({"notes": {"timing_advice": True}})
    config, check = _timing_advice(asked, CheckSettings())
    assert config.timing_advice and check.timing_advice


def test_the_flag_asks_for_timing_advice_in_checks_and_reports() -> None:
    parser = argparse.ArgumentParser()
    add_grade_parser(parser.add_subparsers())
    args = parser.parse_args(["grade", "x.py", "--out", "o", "--timing-advice"])
    config, check = _timing_advice(GradingConfig(), settings(args))
    assert config.timing_advice and check.timing_advice


def test_timing_advice_changes_the_key_of_a_stored_result() -> None:
    assert CheckSettings().key() != CheckSettings(timing_advice=True).key()
    assert "timing" not in CheckSettings().key()  # results stored before stay valid
