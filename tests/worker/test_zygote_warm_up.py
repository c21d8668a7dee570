"""The zygote's warm-up: what every child would do on its first tensor, done once, safely."""

from __future__ import annotations

import os

import torch

from tensorlings.worker import zygote


def test_warm_up_draws_no_random_numbers_and_starts_no_thread() -> None:
    threads = torch.get_num_threads()
    state = torch.default_generator.get_state().clone()
    running = len(os.listdir("/proc/self/task"))
    try:
        zygote._warm_up()
        assert torch.get_num_threads() == 1  # as every child runs: no pool to fork across
        assert len(os.listdir("/proc/self/task")) <= running
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(torch.default_generator.get_state(), state)
