"""The zygote's answers are read through one parser each; a missing or odd field reads as
"not known", never as a crash of the checker (no subprocess: the parsers alone)."""

from __future__ import annotations

import json

import pytest

from tensorlings.messages import ProtocolError
from tensorlings.messages import zygote as asks
from tensorlings.messages.requests import Op, op_of


def test_every_request_to_the_zygote_names_its_op() -> None:
    spawn = asks.Spawn({"output_chars": 10}, False, ("/packs",), ("pack_module",)).to_wire()
    sent = [spawn, asks.kill(7), asks.wait(7, 3.0), asks.dismiss(7), asks.ping(7), asks.QUIT]
    assert [op_of(json.loads(json.dumps(m))) for m in sent] == [
        Op.SPAWN, Op.KILL, Op.WAIT, Op.DISMISS, Op.PING, Op.QUIT,
    ]  # fmt: skip
    assert "reset_peak" not in asks.ping(7) and asks.ping(7, True)["reset_peak"] is True


def test_memory_counters_that_are_missing_or_odd_read_as_zero() -> None:
    reply = {"memory_events": 2, "memory_usage": -5, "memory_peak": "9", "memory_file": 4}
    assert asks.counters(reply) == asks.Counters(events=2, usage=0, peak=0, file=4)
    assert asks.counters(["not", "a", "dict"]) == asks.Counters()


def test_a_wait_answer_gives_the_status_and_the_memory_cap_only_when_stated() -> None:
    told = asks.waited({"pid": 7, "status": 9, "memory_limit": True, "memory_peak": 100})
    assert (told.status, told.memory_limit, told.counters.peak) == (9, True, 100)
    vague = asks.waited({"status": "9", "memory_limit": 1})
    assert (vague.status, vague.memory_limit) == (None, False)


def test_a_ping_answer_that_is_not_an_object_means_no_answer() -> None:
    assert asks.pong({"pong": True, "alive": True}) == asks.Pong(True, True, asks.Counters())
    assert asks.pong([True]) == asks.Pong(False, False, asks.Counters())


def test_a_spawn_answer_must_name_a_process() -> None:
    assert asks.spawned({"pid": 12, "workdir": "/tmp/w"}) == asks.Spawned(12, "/tmp/w")
    for reply in ({"pid": "12"}, {"pid": 0}, {}, None):
        with pytest.raises(ProtocolError):
            asks.spawned(reply)
    assert asks.dismissed({"dismissed": 12}) == 12 and asks.dismissed({"dismissed": "12"}) is None
