"""rule_apis covers every public API of the allowed modules that computes a rule's concept."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import einops
import numpy
import pytest
import torch
import torch.nn.functional as F

from tensorlings import catalogue, rule_apis
from tensorlings.rule_apis import Concept
from tensorlings.worker.recorder import canonical_name

NAMESPACES: dict[str, Any] = {
    "torch": torch,
    "torch.Tensor": torch.Tensor,
    "torch.nn.functional": F,
    "torch.special": torch.special,
    "torch.linalg": torch.linalg,
    "torch.sparse": torch.sparse,
    "torch.nn": torch.nn,
    "torch.distributions": torch.distributions,
    "torch.func": torch.func,
    "numpy": numpy,
    "numpy.random": numpy.random,
    "numpy.linalg": numpy.linalg,
    "einops": einops,
}


def _recorded_name(attribute: str, value: Any) -> str:
    """The name the recorder would write down for this public attribute."""
    if isinstance(value, type) or not callable(value):
        return attribute
    name = canonical_name(value)
    return name if name and not name.startswith("<") else attribute


def _unaccounted(concept: Concept) -> list[str]:
    pattern = re.compile(rule_apis.PATTERNS[concept], re.IGNORECASE)
    computes, skipped = rule_apis.COMPUTES[concept], rule_apis.NOT_COMPUTING[concept]
    missing = []
    for label, space in NAMESPACES.items():
        for attribute in dir(space):
            if attribute.startswith("_") or not pattern.search(attribute):
                continue
            if attribute in skipped or attribute in computes:
                continue
            value = getattr(space, attribute)
            if isinstance(value, type):
                reached = rule_apis.REACHED_THROUGH.get(attribute)
                if reached is None or not (reached in computes or reached in skipped):
                    missing.append(f"{label}.{attribute}")
                continue
            if _recorded_name(attribute, value) not in computes and attribute not in computes:
                missing.append(f"{label}.{attribute}")
    return missing


@pytest.mark.parametrize("concept", list(Concept), ids=[c.name for c in Concept])
def test_every_public_api_matching_a_concept_is_listed_or_explained(concept):
    assert _unaccounted(concept) == []


@pytest.mark.parametrize("concept", list(Concept), ids=[c.name for c in Concept])
def test_every_listed_name_says_why(concept):
    for table in (rule_apis.COMPUTES, rule_apis.NOT_COMPUTING):
        assert all(why.strip() for why in table[concept].values())


def test_private_and_sparse_spellings_are_their_public_call():
    assert canonical_name(torch._softmax) == "softmax"
    assert canonical_name(torch._log_softmax) == "log_softmax"
    # torch.sparse.softmax reaches the mode as an aten op named _sparse_softmax.
    assert canonical_name(SimpleNamespace(__name__="_sparse_softmax")) == "softmax"
    assert canonical_name(SimpleNamespace(__name__="_sparse_log_softmax")) == "log_softmax"
    assert canonical_name(torch.special.logsumexp) == "logsumexp"


def test_rules_named_after_a_concept_cover_all_of_it():
    """Each built-in exercise's forbidden rule that names a concept lists every name of it."""
    expected = {
        "batched_logsumexp": Concept.LOGSUMEXP,
        "batched_softmax": Concept.SOFTMAX,
        "batched_cross_entropy_loss": Concept.CROSS_ENTROPY,
        "identity_matrix": Concept.IDENTITY,
        "total_price_indexing": Concept.GATHER,
        "sample_distribution": Concept.SAMPLING,
        "relu_where": Concept.RELU,
    }
    for exercise_id, concept in expected.items():
        forbidden = {n for call in catalogue.get(exercise_id).rules.forbidden for n in call.names}
        assert set(rule_apis.COMPUTES[concept]) <= forbidden, exercise_id
