"""One exercise's process cannot reach another's: the file's process (whose memory starts every
exercise's process) and the process forked ahead for the next exercise are out of reach of the
exercise running now. They run as the same user, so the kernel alone would let it signal them,
read their memory and files under /proc/<pid>, cap their limits and lower their priority; they
are not dumpable, and the exercise's process may name no process but itself."""

from __future__ import annotations

import pytest
from sandbox_helpers import (
    STOPPED_EARLIER,
    assert_neighbours_passed,
    check_hostile,
    kinds,
    require_layers,
    result_of,
)

from tensorlings.checker.sandbox import ZygoteHandle

pytestmark = pytest.mark.slow

# Each attempt is made on every other process of the sandbox but its pid 1 (whose signalling
# ends the caller: test_sandbox_processes), the file's process and the one forked ahead for the
# next exercise among them (when it exists). An attempt that succeeds makes relu_abs wrong.
ATTEMPTS = {
    "open_memory": 'open(f"/proc/{pid}/mem", "rb").close()',
    "read_environment": 'open(f"/proc/{pid}/environ", "rb").read()',
    "list_descriptors": 'os.listdir(f"/proc/{pid}/fd")',
    "cap_its_limits": "resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))",
    "lower_its_priority": "os.setpriority(os.PRIO_PROCESS, pid, 19)",
    "probe_it_with_signal_0": "os.kill(pid, 0)",
    "signal_it_through_a_pidfd": 'signal.pidfd_send_signal(os.open(f"/proc/{pid}", 0), 0)',
    "stop_it": "os.kill(pid, signal.SIGSTOP)",
    "kill_it": "os.kill(pid, signal.SIGKILL)",
    "kill_every_process_it_may": "os.kill(-1, signal.SIGKILL)",
}


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
def test_an_exercise_cannot_reach_the_files_process_or_the_next_exercises(
    zygote: ZygoteHandle, tmp_path, attempt: str
):
    require_layers(zygote, "pid_namespace", "seccomp", "user_namespace")
    report = check_hostile(
        zygote,
        tmp_path,
        f"""
        import os, resource, signal

        def relu_abs(x):
            reached = []
            me = os.getpid()
            for pid in range(2, 64):  # by number: /proc hides what this process may not see
                if pid == me:
                    continue
                try:
                    {attempt}
                    reached.append(pid)
                except OSError:
                    pass
            return x if reached else (x + x.abs()) / 2
        """,
    )
    result = result_of(report, "relu_abs")
    assert result.status == "passed" or set(kinds(result)) <= set(STOPPED_EARLIER), kinds(result)
    assert_neighbours_passed(report)
