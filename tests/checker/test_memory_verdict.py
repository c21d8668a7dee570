"""The memory verdict is read from the cgroup's counters: a cap hit, or a large growth while
the call ran; nothing else (no cgroup, a slow call that held its memory) is a blow-up."""

from __future__ import annotations

from tensorlings.checker.memory_verdict import MIB, REACHED_CAP, MemoryState, blow_up

ALLOWANCE = 2048 * MIB


def test_a_cap_hit_during_the_calls_is_a_blow_up() -> None:
    assert blow_up(MemoryState(2, 300 * MIB), MemoryState(3, 300 * MIB, 300 * MIB), ALLOWANCE) == (
        REACHED_CAP
    )


def test_growth_of_a_quarter_of_the_allowance_is_a_blow_up_and_says_how_much() -> None:
    why = blow_up(MemoryState(0, 300 * MIB), MemoryState(0, 310 * MIB, 900 * MIB), ALLOWANCE)
    assert why is not None and "600 MiB more" in why and "2048 MiB" in why


def test_a_slow_matrix_power_that_grew_its_work_buffers_is_not_a_blow_up() -> None:
    # Measured: a 2000x2000 matrix power stopped by its limit grew the group by ~250 MiB.
    assert (
        blow_up(MemoryState(0, 18 * MIB), MemoryState(0, 268 * MIB, 268 * MIB), ALLOWANCE) is None
    )


def test_file_pages_read_during_the_call_are_not_the_codes_memory() -> None:
    before = MemoryState(0, 300 * MIB, 300 * MIB, file=10 * MIB)
    after = MemoryState(0, 900 * MIB, 900 * MIB, file=560 * MIB)  # torch's libraries paged in
    assert blow_up(before, after, ALLOWANCE) is None


def test_a_slow_call_that_held_its_memory_is_not_a_blow_up() -> None:
    assert (
        blow_up(MemoryState(1, 300 * MIB), MemoryState(1, 320 * MIB, 400 * MIB), ALLOWANCE) is None
    )


def test_without_a_cgroup_nothing_is_a_blow_up() -> None:
    assert blow_up(MemoryState(), MemoryState(), ALLOWANCE) is None


def test_odd_counters_from_the_worker_read_as_zero() -> None:
    reply = {"memory_events": -1, "memory_usage": "9", "memory_peak": True}
    assert MemoryState.from_reply(reply) == MemoryState()
    assert MemoryState.from_reply(None) == MemoryState()
