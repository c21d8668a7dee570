"""Section 2: predict what the torch.Tensor constructor and torch.tensor really do.

Each exercise is a question about a short snippet. The right letter is never written down: the
reference runs the snippet on the installed torch and picks the one option that describes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from tensorlings.exercise import Exercise, Option, Question
from tensorlings.judges import Ask
from tensorlings.questions import question_solution

SECTION = "torch.Tensor versus torch.tensor"


def _tensor(
    shape: tuple[int, ...], dtype: torch.dtype, values: Any = None
) -> Callable[[Any], bool]:
    """Matches a tensor of this shape and dtype, and these values when they are given."""

    def matches(outcome: Any) -> bool:
        if not isinstance(outcome, torch.Tensor):
            return False
        if tuple(outcome.shape) != shape or outcome.dtype != dtype:
            return False
        return values is None or outcome.tolist() == values

    return matches


def _error(kind: type[BaseException] = Exception) -> Callable[[Any], bool]:
    return lambda outcome: isinstance(outcome, kind)


def _dtype(dtype: torch.dtype) -> Callable[[Any], bool]:
    return lambda outcome: isinstance(outcome, torch.dtype) and outcome == dtype


def _prompt(intro: str, question: Question) -> str:
    code = "\n".join("    " + line for line in question.snippet.splitlines())
    options = "\n".join(f"  {opt.letter}) {opt.text}" for opt in question.options)
    return (
        f"{intro}\n\n"
        f"{code}\n\n"
        "Here `t` is torch. What does the last line evaluate to (or raise)?\n\n"
        f"{options}\n\n"
        "Return the letter of your answer as a string, such as 'a'. Predict first, then run "
        "the snippet to see whether you were right."
    )


def _question_exercise(
    exercise_id: str,
    title: str,
    intro: str,
    question: Question,
    hints: tuple[str, ...],
) -> Exercise:
    return Exercise(
        id=exercise_id,
        section=SECTION,
        title=title,
        prompt=_prompt(intro, question),
        solution=question_solution(question),
        hints=hints,
        judge=Ask(question),
        shapes={"returns": "a letter, such as 'a'"},
    )


# Options shared by the three constructor questions; the snippets differ only in what is passed.
_FROM_SHAPE_OPTIONS = (
    Option("a", "tensor([5]): an int64 tensor holding the number 5", _tensor((1,), torch.int64)),
    Option(
        "b",
        "a float32 tensor of shape (5,) whose values are whatever happened to be in memory",
        _tensor((5,), torch.float32),
    ),
    Option(
        "c", "tensor([5.]): a float32 tensor holding the number 5", _tensor((1,), torch.float32)
    ),
    Option("d", "an error: the constructor does not accept this argument", _error()),
)

_FROM_SIZE = Question(
    snippet="x = t.arange(5)\nt.Tensor(x.shape)",
    options=_FROM_SHAPE_OPTIONS,
    explanation=(
        "Given a torch.Size, the torch.Tensor constructor reads it as the shape of a new tensor "
        "and allocates it without filling it in: you get five float32 numbers that were lying "
        "in memory, different from run to run. Allocating without initialising is what "
        "torch.empty does, and there it is at least explicit."
    ),
)

_FROM_TUPLE = Question(
    snippet="x = t.arange(5)\nt.Tensor(tuple(x.shape))",
    options=_FROM_SHAPE_OPTIONS,
    explanation=(
        "A plain tuple is read as data, not as a shape: the tuple (5,) becomes a tensor holding "
        "the single number 5, and the constructor always converts data to the default float "
        "dtype, so it prints as tensor([5.]). Only a torch.Size is taken to be a shape, which "
        "is why the same numbers give such different results."
    ),
)

_FROM_LIST = Question(
    snippet="x = t.arange(5)\nt.Tensor(list(x.shape))",
    options=_FROM_SHAPE_OPTIONS,
    explanation=(
        "A list is data, exactly like a tuple: [5] becomes a one-element tensor, converted to "
        "float32, so tensor([5.]). The integer dtype of x is not kept: the constructor always "
        "gives the default float dtype."
    ),
)

_BOOLS_DTYPE = Question(
    snippet="t.Tensor([False, True]).dtype",
    options=(
        Option("a", "torch.bool", _dtype(torch.bool)),
        Option("b", "torch.int64", _dtype(torch.int64)),
        Option("c", "torch.uint8", _dtype(torch.uint8)),
        Option("d", "torch.float32", _dtype(torch.float32)),
    ),
    explanation=(
        "The constructor converts whatever data it gets to the default float dtype, float32, so "
        "the booleans become 0.0 and 1.0. torch.tensor([False, True]) would instead infer "
        "torch.bool from the data."
    ),
)

_MEAN_OF_INTS = Question(
    snippet="t.tensor([1, 2, 3, 4]).mean()",
    options=(
        Option("a", "tensor(2.5000), a float32 scalar", _tensor((), torch.float32, 2.5)),
        Option("b", "tensor(2), the mean rounded down to an integer", _tensor((), torch.int64)),
        Option(
            "c",
            "a RuntimeError saying mean cannot work out an output dtype for Long (int64) input",
            _error(RuntimeError),
        ),
        Option(
            "d",
            "tensor(2.5000, dtype=torch.float64), like numpy's mean",
            _tensor((), torch.float64, 2.5),
        ),
    ),
    explanation=(
        "torch.tensor infers int64 from a list of Python ints, and mean refuses integer input: "
        "it cannot tell whether you want 2.5 or an integer answer. numpy would quietly convert "
        "to float. Say what you mean with a dtype, as in t.tensor([1, 2, 3, 4], "
        "dtype=t.float32).mean(), or convert first with .float()."
    ),
)

EXERCISES = (
    _question_exercise(
        "tensor_from_size",
        "The constructor given a torch.Size",
        "torch.Tensor (capital T) is a class you can call, and torch.tensor is a function. "
        "They look alike but treat their argument differently. Consider:",
        _FROM_SIZE,
        (
            "What type is x.shape? Is it a tuple, or something more specific?",
            "When a torch.Size is passed to the constructor, is it read as data or as a shape?",
            "If it is a shape, who decides what numbers go into the new tensor?",
        ),
    ),
    _question_exercise(
        "tensor_from_tuple",
        "The constructor given a tuple",
        "The same shape as before, but turned into an ordinary tuple first:",
        _FROM_TUPLE,
        (
            "Does the constructor treat a plain tuple the same way as a torch.Size?",
            "If (5,) is read as data, how many elements does the result have?",
            "Which dtype does the constructor give to data, whatever it looks like?",
        ),
    ),
    _question_exercise(
        "tensor_from_list",
        "The constructor given a list",
        "Now the shape is turned into a list:",
        _FROM_LIST,
        (
            "Is a list more like a torch.Size or more like a tuple, as far as the constructor "
            "is concerned?",
            "x is int64: does the constructor keep that dtype for the data it is given?",
        ),
    ),
    _question_exercise(
        "tensor_of_bools_dtype",
        "The constructor given booleans",
        "What dtype does the constructor pick for a list of booleans?",
        _BOOLS_DTYPE,
        (
            "Does the constructor look at the data to choose a dtype, the way torch.tensor does?",
            "What is torch's default floating-point dtype?",
        ),
    ),
    _question_exercise(
        "mean_of_int_tensor",
        "The mean of an integer tensor",
        "torch.tensor infers the dtype from the data you give it. What happens here?",
        _MEAN_OF_INTS,
        (
            "Which dtype does torch.tensor infer from a list of Python ints?",
            "The mean of 1, 2, 3, 4 is not a whole number: what should an int64 result be?",
            "Would torch rather guess, or stop and make you choose a dtype?",
        ),
    ),
)
