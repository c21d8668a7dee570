"""No learner code runs after its call returns: the result is sent back, and the sheet's
`test_cases` are read, by exact type alone. A tensor-like object whose methods compute the
answer while it is being encoded fails as the wrong type, and none of its methods run (they
would write a marker file: the weak worker lets these tests see the host's files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from attack_helpers import assert_failed_with, assert_healthy_passed, results

pytestmark = pytest.mark.slow

# Each method writes the marker, then gives the right answer for relu_abs.
TENSOR_LIKE = """
def _ran(what):
    with open({marker!r}, "a") as out:
        out.write(what + "\\n")

def _answer():
    return [[0.0, 2.0], [1.0, 0.0]]

class Answer:
    @property
    def __class__(self):
        _ran("__class__")
        return torch.Tensor
    @property
    def shape(self):
        _ran("shape")
        return torch.Size([2, 2])
    @property
    def dtype(self):
        _ran("dtype")
        return torch.float32
    def __len__(self):
        _ran("__len__")
        return 2
    def __iter__(self):
        _ran("__iter__")
        return iter(torch.tensor(_answer()))
    def __getitem__(self, index):
        _ran("__getitem__")
        return torch.tensor(_answer())[index]
    def __index__(self):
        _ran("__index__")
        return 0
    def __float__(self):
        _ran("__float__")
        return 0.0
    def tolist(self):
        _ran("tolist")
        return _answer()
    def numpy(self):
        _ran("numpy")
        return torch.tensor(_answer()).numpy()
    def __array__(self, *args, **kwargs):
        _ran("__array__")
        return torch.tensor(_answer()).numpy()
    def __getattr__(self, name):
        _ran("__getattr__ " + name)
        raise AttributeError(name)
    def __del__(self):
        _ran("__del__")

class Meta(type):
    @property
    def __name__(cls):
        _ran("__name__")
        return "Tensor"

class Named(Answer, metaclass=Meta):
    pass
"""

RETURNS = {
    "tensor_like_object": "Answer()",
    "object_of_a_class_with_a_metaclass": "Named()",
    "list_of_tensor_like_objects": "[Answer(), Answer()]",
    "list_subclass": "type('Rows', (list,), {'__iter__': lambda s: _ran('iter') or iter([])})()",
}


@pytest.mark.parametrize("returned", RETURNS.values(), ids=RETURNS.keys())
def test_a_tensor_like_result_fails_and_none_of_its_code_runs_after_the_call(
    check_hazard, weak_worker, tmp_path: Path, returned: str
):
    marker = tmp_path / "ran.txt"
    report = check_hazard(
        TENSOR_LIKE.format(marker=str(marker)) + f"\ndef relu_abs(x):\n    return {returned}\n",
        zygote=weak_worker,
    )
    assert_failed_with(report, "relu_abs", "wrong_type")
    assert not marker.exists(), marker.read_text()
    assert_healthy_passed(report, "relu_abs")


def test_a_dispatching_tensor_subclass_runs_none_of_its_handler_while_sent_back(
    check_hazard, weak_worker, tmp_path: Path
):
    marker = tmp_path / "ran.txt"
    report = check_hazard(
        f"""
        class Wrapped(torch.Tensor):
            @staticmethod
            def __new__(cls, x):
                return torch.Tensor._make_wrapper_subclass(cls, x.shape, dtype=x.dtype)

            @classmethod
            def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
                with open({str(marker)!r}, "a") as out:
                    out.write(str(func) + "\\n")
                return (args[0].abs() + args[0]) / 2

        def relu_abs(x):
            return Wrapped(x)
        """,
        zygote=weak_worker,
    )
    result = results(report)["relu_abs"]
    assert result.status == "failed"
    assert not marker.exists(), marker.read_text()
    assert_healthy_passed(report, "relu_abs")


def test_an_exception_whose_message_is_code_runs_none_of_it(
    check_hazard, weak_worker, tmp_path: Path
):
    marker = tmp_path / "ran.txt"
    report = check_hazard(
        f"""
        class Loud(Exception):
            def __str__(self):
                open({str(marker)!r}, "a").write("__str__\\n")
                return "loud"

            def __del__(self):
                open({str(marker)!r}, "a").write("__del__\\n")

        def relu_abs(x):
            raise Loud()
        """,
        zygote=weak_worker,
    )
    assert_failed_with(report, "relu_abs", "exception")
    assert not marker.exists(), marker.read_text()
    assert_healthy_passed(report, "relu_abs")


SHEET_CASES = {
    "property_fields": """
        from collections import namedtuple

        class TestCase(namedtuple("TestCase", ["output", "size", "stride"])):
            @property
            def size(self):
                _ran("size")
                return (4,)

            @property
            def stride(self):
                _ran("stride")
                return (1,)

        test_cases = [TestCase(output=t.tensor([0, 1, 2, 3]), size=(1,), stride=(1,))]
        """,
    "list_subclass": """
        from collections import namedtuple

        TestCase = namedtuple("TestCase", ["output", "size", "stride"])

        class Cases(list):
            def __iter__(self):
                _ran("__iter__")
                return iter([TestCase(output=None, size=(4,), stride=(1,))])

            def __len__(self):
                _ran("__len__")
                return 1

        test_cases = Cases()
        """,
}


@pytest.mark.parametrize("cases", SHEET_CASES.values(), ids=SHEET_CASES.keys())
def test_the_sheets_test_cases_are_read_without_running_their_code(
    check_hazard, weak_worker, tmp_path: Path, cases: str
):
    marker = tmp_path / "ran.txt"
    ran = f"def _ran(what):\n    open({str(marker)!r}, 'a').write(what + '\\n')\n"
    report = check_hazard(
        ran + cases.replace("\n        ", "\n"), ids=("as_strided_1",), zygote=weak_worker
    )
    assert results(report)["as_strided_1"].status != "passed"
    assert not marker.exists(), marker.read_text()
