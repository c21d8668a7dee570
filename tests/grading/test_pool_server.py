"""The grading pool's processes fork their zygotes from what the pool's server imported, and only
while they hold nothing more: no pack (its solutions), no submission, no seed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


_POOL_SCRIPT = """
import sys
from concurrent.futures import ProcessPoolExecutor

from tensorlings.grading import runner

PACKS = ("tensorlings.exercises", "tensorlings.packs.from_scratch")


def kind():
    zygote = runner._HOLDER.get()
    return type(zygote.process).__name__, [m for m in sys.modules if m.startswith(PACKS)]


if __name__ == "__main__":
    with ProcessPoolExecutor(
        1, mp_context=runner._context(), initializer=runner._start_pool_process, initargs=(1,)
    ) as pool:
        print(pool.submit(kind).result())
"""


def test_a_pool_process_forks_its_zygote_before_it_holds_anything_more(tmp_path: Path) -> None:
    """As under `tensorlings grade`, whose main module imports only what the server did."""
    script = tmp_path / "pool.py"
    script.write_text(_POOL_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # The checker is imported after the fork, and a pack only once a task names one.
    assert done.stdout.strip() == "('ForkedZygote', [])"


def test_a_pool_process_that_imported_more_starts_a_fresh_zygote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tensorlings.grading import pool_server

    monkeypatch.setattr(pool_server, "_SERVER_MODULES", frozenset(sys.modules))
    assert pool_server.may_fork_zygote() is True
    monkeypatch.setitem(sys.modules, "tensorlings.exercises.planted", sys)
    assert pool_server.may_fork_zygote() is False
