"""A returned value is described with the article a reader expects."""

from __future__ import annotations

import torch

from tensorlings.checker.compare import describe_value


def test_a_value_whose_name_starts_with_a_vowel_takes_an() -> None:
    assert describe_value(0) == "an int (0)"
    assert describe_value(torch.zeros(2, dtype=torch.int64)).startswith("an int64 tensor")
    assert describe_value(torch.zeros(2)).startswith("a float32 tensor")
    assert describe_value(torch.zeros(2, dtype=torch.uint8)).startswith("a uint8 tensor")
    assert describe_value(None) == "None"


def test_a_value_too_big_to_send_is_described_without_calling_it_an_object() -> None:
    from tensorlings.worker.encoding import OtherValue, encode

    huge = encode(10**150)
    assert describe_value(OtherValue(huge["type"])) == "an int of more than 100 digits"
    assert describe_value(OtherValue("Generator")) == "a Generator object"
