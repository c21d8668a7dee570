"""The recorder tells an operator from the function behind it, and a call from inside another
exercise's function or a helper from the judged function's own."""

from __future__ import annotations

import torch

from tensorlings.worker.recorder import CallRecorder, exercise_codes, own_code, recording


def _calls(fn, *args, others: dict | None = None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    recorder = CallRecorder(__file__)
    recorder.exercise_codes = exercise_codes(others or {}, __file__)
    recorder.judged_code = own_code(fn, __file__)
    recorder.active = True
    with recording(recorder):
        fn(*args)
    return recorder.take()


def test_operators_are_recorded_under_their_symbols_and_functions_under_their_names() -> None:
    def operators(x: torch.Tensor) -> torch.Tensor:
        y = x / 2 + 1
        y += 1  # the operator, not an in-place call
        return (2 / y) @ (y < 3).float() - (-y).sum()

    calls = _calls(operators, torch.arange(1.0, 4.0))
    assert {"/", "+", "@", "<", "-", "float", "sum"} <= set(calls)
    assert not {"div", "add", "add_", "rdiv", "matmul", "lt", "neg"} & set(calls)
    functions = _calls(lambda x: torch.add(torch.div(x, 2), 1), torch.ones(2))
    assert {"div", "add"} <= set(functions) and not {"/", "+"} & set(functions)


def _transposed(j: int) -> torch.Tensor:
    return torch.arange(j)[:, None].T


def _uses_another_exercise(j: int) -> torch.Tensor:
    return _transposed(j) + 1


def test_a_call_inside_another_exercises_function_is_counted_as_that_exercises() -> None:
    calls = _calls(_uses_another_exercise, 3, others={"transposed": _transposed})
    assert calls["T"] == 1 and calls["_in:transposed:T"] == 1
    assert not any(key.startswith("_at:T#") for key in calls)


def test_a_call_inside_a_plain_helper_records_the_route_and_line() -> None:
    calls = _calls(_uses_another_exercise, 3)
    line = _transposed.__code__.co_firstlineno + 1
    assert calls[f"_at:T#{line}#_transposed"] == 1
    assert "_in:transposed:T" not in calls
