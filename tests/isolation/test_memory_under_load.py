"""Memory blow-ups are `memory_limit` on a busy machine too: the verdict is read from the
sandbox cgroup's counters, not from whether filling memory beat the call's time limit. Every
test here runs while two busy loops take both cores (more than this machine has to spare)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from sandbox_helpers import require_layers
from test_hazards import assert_failed_with, assert_healthy_passed

from tensorlings.checker.sandbox import Limits, ZygoteHandle

pytestmark = pytest.mark.slow

# A learner's own limits (5 s a call, 2 GiB): on a busy machine none of these blow-ups reaches
# a cap within its call's time (a quiet machine fills 2 GiB in about 4.6 s).
SHORT = Limits(exercise_seconds=5.0, statement_seconds=2.0)
GIB = 1024**3

BLOW_UPS = {
    "list_of_lists": """
        def relu_abs(x):
            chunks = []
            while True:
                chunks.append([0] * 10**7)
        """,
    "bytearrays": """
        def relu_abs(x):
            chunks = []
            while True:
                chunks.append(bytearray(1 << 20))
        """,
    "tensors": """
        def relu_abs(x):
            chunks = []
            while True:
                chunks.append(torch.ones(1 << 22))
        """,
    # Filled inside the kernel: Python's alarm cannot stop it until the write returns.
    "shared_anonymous_mmap": f"""
        import mmap

        def relu_abs(x):
            area = mmap.mmap(-1, {3 * GIB})  # MAP_SHARED: RLIMIT_DATA does not count it
            area.write(b"x" * {3 * GIB})
        """,
}


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Two processes that spin for the whole test, one per core of this machine."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.parametrize("blow_up", BLOW_UPS.values(), ids=BLOW_UPS.keys())
def test_memory_blow_up_on_a_busy_machine_is_a_memory_limit(
    check_hazard, worker: ZygoteHandle, busy_machine, blow_up
):
    require_layers(worker, "cgroup_memory")
    report = check_hazard(blow_up, limits=SHORT)
    assert_failed_with(report, "relu_abs", "memory_limit")
    assert_healthy_passed(report, "relu_abs")


def test_endless_loop_on_a_busy_machine_stays_a_timeout(
    check_hazard, worker: ZygoteHandle, busy_machine
):
    require_layers(worker, "cgroup_memory")
    report = check_hazard(
        """
        def relu_abs(x):
            total = 0
            while True:
                total += 1
        """,
        limits=SHORT,
    )
    assert_failed_with(report, "relu_abs", "timeout")
    assert_healthy_passed(report, "relu_abs")
