"""Closing the worker: one never asked to be ready is ended at once, not asked to quit."""

from __future__ import annotations

import signal

import pytest

from tensorlings.checker.sandbox import ZygoteHandle


@pytest.mark.slow
def test_a_worker_closed_before_it_was_ready_is_killed_not_waited_for() -> None:
    zygote = ZygoteHandle()  # it imports torch meanwhile; a missing workbook is found before that
    zygote.close()
    assert zygote.process.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_a_ready_worker_is_asked_to_quit_and_leaves_on_its_own() -> None:
    zygote = ZygoteHandle()
    zygote.ready()
    zygote.close()
    assert zygote.process.returncode == 0
