"""A long-lived worker keeps one learner child ready, and hands it out only where it fits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tensorlings.checker.sandbox import Limits, ZygoteHandle


@pytest.fixture(scope="module")
def spare_worker() -> Iterator[ZygoteHandle]:
    zygote = ZygoteHandle(spare=True)
    try:
        zygote.ready()
        yield zygote
    finally:
        zygote.close()


def test_the_next_child_is_the_one_forked_ahead_of_time(spare_worker: ZygoteHandle) -> None:
    first = spare_worker.spawn(Limits())
    ahead = spare_worker._pending
    # Asked for while the first one works, for the same request.
    assert ahead is not None and ahead.limits == Limits() and not ahead.trusted
    second = spare_worker.spawn(Limits())
    assert second.pid != first.pid and second.alive
    for child in (first, second):
        child.dismiss()


def test_a_spare_made_for_other_limits_is_not_handed_out(spare_worker: ZygoteHandle) -> None:
    spare_worker.spawn(Limits()).dismiss()
    spare_worker._collect_spare()
    assert spare_worker._spare is not None
    _, spare = spare_worker._spare
    tighter = Limits(memory_bytes=512 * 1024**2)
    child = spare_worker.spawn(tighter)
    assert child.pid != spare.pid and not spare.alive
    child.dismiss()


def test_replies_stay_in_order_while_a_spawn_is_unread(spare_worker: ZygoteHandle) -> None:
    child = spare_worker.spawn(Limits())
    assert spare_worker._pending is not None
    # The ping's answer comes after the spare's: it must not be mistaken for it.
    assert spare_worker.responsive(pid=child.pid) == (True, True)
    assert spare_worker.memory_state(child.pid).events == 0
    child.dismiss()
    assert child.close() is None  # dismissed: nothing more to wait for


def test_a_trusted_child_is_never_a_spare(spare_worker: ZygoteHandle) -> None:
    spare_worker._collect_spare()
    assert spare_worker._spare is not None
    _, spare = spare_worker._spare
    trusted = spare_worker.spawn(Limits(), trusted=True)
    assert spare_worker._pending is None  # no learner child was asked for on its account
    assert trusted.pid != spare.pid and spare.alive  # the spare waits for the next learner
    taken = spare_worker.spawn(Limits())
    assert taken.pid == spare.pid
    for child in (trusted, taken):
        child.dismiss()


def test_a_spare_made_before_other_files_were_hidden_is_not_handed_out(
    spare_worker: ZygoteHandle, tmp_path
) -> None:
    spare_worker.spawn(Limits()).dismiss()
    spare_worker._collect_spare()
    assert spare_worker._spare is not None
    _, spare = spare_worker._spare
    spare_worker.protect((str(tmp_path),), ())  # a local pack checked from now on
    child = spare_worker.spawn(Limits())
    assert child.pid != spare.pid and not spare.alive
    assert str(tmp_path) in spare_worker._pending.hidden  # type: ignore[union-attr]
    child.dismiss()
