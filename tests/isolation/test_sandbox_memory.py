"""The sandbox's memory cap counts what RLIMIT_DATA does not: shared memory, files in the
private /tmp, shared anonymous mappings. Each is `memory_limit` (or, where a folder's own size
cap is reached first, a clear "no space left" error), and the neighbours still pass."""

from __future__ import annotations

import pytest
from sandbox_helpers import (
    assert_neighbours_passed,
    check_hostile,
    kinds,
    require_layers,
    result_of,
)

from tensorlings.checker.sandbox import Limits, ZygoteHandle

pytestmark = pytest.mark.slow

# A lower cap keeps these quick (zero-filling memory is slow on these machines), and a roomy
# call limit keeps a busy machine from turning the fill into a timeout.
SMALL = Limits(exercise_seconds=30.0, statement_seconds=3.0, memory_bytes=512 * 1024**2)
GIB = 1024**3

BOMBS = {
    "dev_shm_file": """
        def fill():  # files of 8 MiB each, under the file size limit
            for number in range(3 * 1024 // 8):
                with open(f"/dev/shm/bomb-{number}", "wb") as out:
                    out.write(b"x" * (8 << 20))
        """,
    "tmp_file": """
        def fill():  # files of 8 MiB each, under the file size limit
            for number in range(3 * 1024 // 8):
                with open(f"/tmp/bomb-{number}", "wb") as out:
                    out.write(b"x" * (8 << 20))
        """,
    "shared_anonymous_mmap": f"""
        import mmap

        def fill():
            area = mmap.mmap(-1, {3 * GIB})  # MAP_SHARED: RLIMIT_DATA does not count it
            for _ in range({3 * GIB} // (64 << 20)):
                area.write(b"x" * (64 << 20))
        """,
}


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_three_gib_of_shared_memory_is_a_memory_limit(zygote: ZygoteHandle, tmp_path, bomb):
    require_layers(zygote, "cgroup_memory", "readonly_system")
    report = check_hostile(
        zygote,
        tmp_path,
        f"""
        {bomb}

        def relu_abs(x):
            fill()
            return (x + x.abs()) / 2
        """,
        limits=SMALL,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "failed"
    messages = " ".join(p.message for p in result.problems)
    assert "memory_limit" in kinds(result) or "No space left" in messages, (kinds(result), messages)
    assert_neighbours_passed(report)
