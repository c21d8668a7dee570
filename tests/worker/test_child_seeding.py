"""The worker seeds each call itself, cheaply, and the draws are torch.manual_seed's."""

from __future__ import annotations

import pytest
import torch

from tensorlings.worker import child


def test_worker_seed_gives_the_same_draws_as_torch_manual_seed() -> None:
    for seed in (0, 1, 12345):
        torch.manual_seed(seed)
        expected = (torch.rand(5), torch.randn(3), torch.randint(0, 10, (4,)))
        child._manual_seed(seed)
        drawn = (torch.rand(5), torch.randn(3), torch.randint(0, 10, (4,)))
        for want, got in zip(expected, drawn, strict=True):
            assert torch.equal(want, got)


def test_worker_seed_queues_nothing_for_uninitialised_accelerators() -> None:
    """torch.manual_seed queues a seed (with a formatted stack) for CUDA until it starts;
    the worker's seeding must not, or each call pays for a stack trace and the queue grows."""
    import torch.cuda

    if torch.cuda.is_initialized():
        pytest.skip("CUDA is initialised in this process: torch queues nothing to compare with")
    tracker = torch.cuda._lazy_seed_tracker
    before = (tracker.manual_seed_all_cb, tracker.manual_seed_cb, len(torch.cuda._queued_calls))
    tracker.manual_seed_all_cb = tracker.manual_seed_cb = None
    try:
        child._manual_seed(7)
        assert tracker.manual_seed_all_cb is None and tracker.manual_seed_cb is None
        torch.manual_seed(7)  # the control: torch's own seeding does queue one
        assert tracker.manual_seed_all_cb is not None
    finally:
        tracker.manual_seed_all_cb, tracker.manual_seed_cb = before[0], before[1]
