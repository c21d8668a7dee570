"""The zygote's memory in huge pages: the same bytes, shared with children as before."""

from __future__ import annotations

import os

import pytest

from tensorlings.worker import heap


def _anon_huge_kb() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1])
    return 0


def test_memory_moved_to_huge_pages_keeps_its_contents_and_stays_copy_on_write() -> None:
    block = bytearray(os.urandom(1024)) * (8 * 1024)  # 8 MiB of private memory
    before = bytes(block)
    moved = heap.in_huge_pages()
    assert bytes(block) == before
    if moved == 0:
        pytest.skip("this kernel cannot collapse memory into huge pages (MADV_COLLAPSE)")
    assert _anon_huge_kb() > 0
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child changes its copy only
        block[0:4] = b"kid!"
        os.write(write, bytes(block[0:4]))
        os._exit(0)
    os.close(write)
    seen = os.read(read, 4)
    os.close(read)
    os.waitpid(pid, 0)
    assert seen == b"kid!"
    assert bytes(block) == before


def test_moving_to_huge_pages_without_proc_maps_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise OSError("no /proc here")

    monkeypatch.setattr("builtins.open", refuse)
    assert heap.in_huge_pages() == 0


@pytest.mark.slow
def test_a_zygote_for_many_checks_has_its_memory_in_huge_pages() -> None:
    from tensorlings.checker.sandbox import ZygoteHandle
    from tensorlings.messages.zygote import HUGE_PAGES

    with ZygoteHandle(spare=True) as zygote:
        zygote.ready()
        pid = zygote.process.pid
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            assert HUGE_PAGES.encode() in cmdline.read().split(b"\0")
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            huge = [int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:")]
    if heap.in_huge_pages() == 0:
        pytest.skip("this kernel cannot collapse memory into huge pages (MADV_COLLAPSE)")
    assert huge and huge[0] > 0
