"""Which functions the file's process may answer for without a call: a body that only returns a
literal, read from the bytecode that a call would run (no subprocess)."""

from __future__ import annotations

import functools
import types

import pytest

from tensorlings.worker.constant_return import returned_constant


def _answer() -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (4,), (1,)


def _letter() -> str:
    """Which constructor gives a float tensor? b."""
    return "b"


def _folded() -> tuple[int, ...]:
    return (3, 2) + (1,)  # the compiler folds it into one constant


@pytest.mark.parametrize(
    ("fn", "value"),
    [
        (_answer, ((4,), (1,))),
        (_letter, "b"),
        (_folded, (3, 2, 1)),
        (lambda: -1.5, -1.5),
        (lambda: None, None),
        (lambda: True, True),
    ],
)
def test_a_function_that_only_returns_a_literal_is_answered(fn, value) -> None:
    assert returned_constant(fn) == (True, value)


def _takes(x: int = 1) -> int:
    return 1


def _computes() -> int:
    x = 1
    return x


def _prints() -> int:
    print("hello")
    return 1


def _a_list() -> list[int]:
    return [1, 2]


def _generator():  # type: ignore[no-untyped-def]
    yield 1


def _star(*args: int) -> int:
    return 1


@pytest.mark.parametrize(
    "fn",
    [
        _takes,
        _computes,
        _prints,
        _a_list,
        _generator,
        _star,
        functools.partial(_answer),
        len,
        type("Callable", (), {"__call__": lambda self: 1})(),
    ],
)
def test_a_function_that_does_anything_else_is_called(fn) -> None:
    assert returned_constant(fn) == (False, None)


def test_what_a_call_would_run_is_read_not_the_source() -> None:
    """A function whose code was swapped after its definition is read as it is now bound."""

    def answer() -> int:
        return 1

    answer.__code__ = _computes.__code__
    assert returned_constant(answer) == (False, None)
    answer.__code__ = _letter.__code__
    assert returned_constant(answer) == (True, "b")


def test_only_plain_literals_are_answered() -> None:
    """A constant put in the code by hand (a set, bytes, an object) or a huge one is called."""
    for odd in (
        frozenset({1}),
        b"x",
        object(),
        tuple(range(5000)),
        ((((((((((1,),),),),),),),),),),
    ):
        fn = types.FunctionType(
            _answer.__code__.replace(co_consts=(odd,) * len(_answer.__code__.co_consts)), {}
        )
        assert returned_constant(fn) == (False, None), odd
