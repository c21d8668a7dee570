"""The grading pool's processes fork their zygotes from what the pool's server imported, and only
while they hold nothing more: no pack (its solutions), no submission, no seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import fresh_start_environment

pytestmark = pytest.mark.slow  # starts the pool's server (it imports torch: about 2 s)

_PACK_MODULES = ("tensorlings.exercises", "tensorlings.packs.from_scratch", "tensorlings.catalogue")


def test_the_pool_server_imports_no_pack_and_nothing_of_the_checker() -> None:
    code = (
        "import sys\n"
        "import tensorlings.grading.runner, tensorlings.grading.pool_server\n"
        f"prefixes = {_PACK_MODULES!r}\n"
        "print(sorted(m for m in sys.modules if m.startswith(prefixes)))\n"
        "print('tensorlings.checker.check' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "False"]


# Its main module, run again in the pool process, binds nothing but what the server imported:
# a function or a constant of its own would be data a learner could read (the next test).
_POOL_SCRIPT = """
from concurrent.futures import ProcessPoolExecutor

from tensorlings.grading import runner

if __name__ == "__main__":
    kind = (
        "(lambda modules: (type(modules['tensorlings.grading.runner']._HOLDER.get().process)"
        ".__name__, [m for m in modules if m.startswith(('tensorlings.exercises', "
        "'tensorlings.packs.from_scratch'))]))(__import__('sys').modules)"
    )
    with ProcessPoolExecutor(
        1, mp_context=runner._context(), initializer=runner._start_pool_process, initargs=(1,)
    ) as pool:
        print(pool.submit(eval, kind).result())
"""


def test_a_pool_process_forks_its_zygote_before_it_holds_anything_more(tmp_path: Path) -> None:
    """As under `tensorlings grade`, whose main module imports only what the server did."""
    script = tmp_path / "pool.py"
    script.write_text(_POOL_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=fresh_start_environment(),
    )
    assert done.returncode == 0, done.stderr
    # The checker is imported after the fork, and a pack only once a task names one.
    assert done.stdout.strip() == "('ForkedZygote', [])"


def test_a_pool_process_that_imported_more_starts_a_fresh_zygote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tensorlings.grading import pool_server

    monkeypatch.setattr(pool_server, "_SERVER_MODULES", frozenset(sys.modules))
    monkeypatch.setattr(pool_server, "_STARTED_AS_A_ZYGOTE", True)  # pytest's faulthandler
    monkeypatch.delitem(sys.modules, "__mp_main__", raising=False)  # pytest's own main
    assert pool_server.may_fork_zygote() is True
    monkeypatch.setitem(sys.modules, "tensorlings.exercises.planted", sys)
    assert pool_server.may_fork_zygote() is False


def test_a_main_module_that_binds_data_of_its_own_gets_a_fresh_zygote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A grading script's top level runs again in each pool process: a key or a seed bound
    there would be in every learner process's sys.modules."""
    import types

    from tensorlings.grading import pool_server

    monkeypatch.setattr(pool_server, "_SERVER_MODULES", frozenset(sys.modules))
    monkeypatch.setattr(pool_server, "_STARTED_AS_A_ZYGOTE", True)
    script = types.ModuleType("__mp_main__")
    script.sys = sys  # type: ignore[attr-defined]
    script.main = subprocess.run  # type: ignore[attr-defined]  # what the server imported
    monkeypatch.setitem(sys.modules, "__mp_main__", script)
    assert pool_server.may_fork_zygote() is True
    script.ANSWER_KEY = "instructor only"  # type: ignore[attr-defined]
    assert pool_server.may_fork_zygote() is False
    del script.ANSWER_KEY  # type: ignore[attr-defined]
    exec("def own(): return 4242", script.__dict__)  # a function of its own: its constants
    assert pool_server.may_fork_zygote() is False


def test_a_server_not_started_as_a_fresh_zygote_is_gives_fresh_zygotes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tensorlings.checker import sandbox
    from tensorlings.worker import startup

    fresh = sandbox.isolated_start(sys.executable)
    assert set(fresh["settings"]) == set(startup.settings())
    assert fresh["path"] and "" not in fresh["path"]
    monkeypatch.setenv("PYTHONWARNINGS", "error")
    monkeypatch.setenv("PYTHONOPTIMIZE", "1")
    configured = [
        sys.executable,
        "-c",
        "from tensorlings.worker import startup as s; print(s.settings())",
    ]
    run = {"capture_output": True, "text": True, "check": True}
    seen = subprocess.run(configured, env=fresh_start_environment(), **run).stdout
    assert seen.strip() != str(fresh["settings"])
    monkeypatch.delenv("PYTHONWARNINGS")
    monkeypatch.delenv("PYTHONOPTIMIZE")
    plain = subprocess.run(configured, env=fresh_start_environment(), **run).stdout
    assert plain.strip() == str(fresh["settings"])


_POLICY_SCRIPT = """
import os
from concurrent.futures import ProcessPoolExecutor

from tensorlings.grading import runner

if __name__ == "__main__":
    zygote = "__import__('sys').modules['tensorlings.grading.runner']._HOLDER.get().process.pid"
    with ProcessPoolExecutor(
        1, mp_context=runner._context(), initializer=runner._start_pool_process, initargs=(1,)
    ) as pool:
        print(pool.submit(os.sched_getscheduler, 0).result())
        print(os.sched_getscheduler(pool.submit(eval, zygote).result()))
    print(os.sched_getscheduler(0))
"""


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux's policy")
def test_pool_processes_and_their_zygotes_run_as_batch_work_and_the_grader_does_not(
    tmp_path: Path,
) -> None:
    script = tmp_path / "policy.py"
    script.write_text(_POLICY_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    batch, normal = str(os.SCHED_BATCH), str(os.SCHED_OTHER)
    assert done.stdout.split() == [batch, batch, normal]
