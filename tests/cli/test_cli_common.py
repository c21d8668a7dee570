"""How choosing the pack treats the process's garbage collector (cli_common.pack_for)."""

import gc
import subprocess
import sys

import pytest
import torch  # noqa: F401  (a process with torch already loaded: a test session, a notebook)

from tensorlings.cli_common import pack_for


def test_choosing_the_pack_in_a_process_with_torch_freezes_nothing():
    frozen = gc.get_freeze_count()
    assert pack_for(None, None).exercises
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


@pytest.mark.slow
def test_a_command_process_keeps_torch_out_of_later_collections_and_keeps_collecting():
    script = (
        "import gc\n"
        "from tensorlings.cli_common import pack_for\n"
        "assert pack_for(None, None).exercises\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 100_000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.split() == ["True", "True"], done.stderr
