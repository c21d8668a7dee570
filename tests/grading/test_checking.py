from __future__ import annotations

import pickle

from tensorlings.grading.checking import plain_json


class _VersionText(str):
    """Like torch's TorchVersion: a str subclass that pickles by reference to its class."""


def test_check_results_cross_to_the_grader_as_plain_json_types() -> None:
    report = {"torch": _VersionText("2.13.0"), "exercises": [{"id": "relu", "args": (1, 2.5)}]}
    plain = plain_json(report)
    assert plain == {"torch": "2.13.0", "exercises": [{"id": "relu", "args": [1, 2.5]}]}
    assert type(plain["torch"]) is str
    # Unpickling it in the grader imports nothing: no class of ours (or torch's) is named.
    assert b"_VersionText" not in pickle.dumps(plain)
