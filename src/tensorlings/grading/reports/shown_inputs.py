"""How much of a failing input a student's feedback file shows (`[feedback] inputs`).

The checker writes each failing call as text, e.g. `softmax(matrix=tensor([[1., 2.]]))`, and
the message that explains it starts with that call. `full` keeps it; `shape` writes every
tensor literal as its shape (`<tensor of shape (1, 2)>`), so a student sees which sizes fail
but not the values; `none` keeps only the function's name.
"""

from __future__ import annotations

import re

from tensorlings.checker.results import Problem
from tensorlings.grading.config import FeedbackInputs

_TENSOR = "tensor("
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_KEYWORDS = re.compile(r",\s*[a-z_]+=.*\Z", re.S)
# What torch prints first inside `tensor(`: a list, or a 0-d tensor's number or boolean.
_VALUES = re.compile(r"\s*(?:\[|[-+]?(?:\d|\.\d|nan\b|inf\b)|True\b|False\b)")
_SHAPED = re.compile(r"<(?:[a-z0-9]+ )?tensor of shape \([^)]*\)>")


def shown_call(call: str | None, inputs: FeedbackInputs) -> str | None:
    if call is None or inputs is FeedbackInputs.FULL:
        return call
    if inputs is FeedbackInputs.SHAPE:
        return shapes_only(call)
    name = _NAME.match(call)
    return f"{name.group()}(…)" if name else "(the call is not shown)"


def shown_message(problem: Problem, inputs: FeedbackInputs) -> str:
    """The problem's message with its call (wherever it appears) shown as `inputs` says."""
    message = problem.message
    if inputs is FeedbackInputs.FULL:
        return message
    if problem.call:
        message = message.replace(problem.call, shown_call(problem.call, inputs) or "")
    return shown_text(message, inputs)


def shown_text(text: str, inputs: FeedbackInputs) -> str:
    """Any text that may hold a failing input (a message, what the learner's code printed
    while it ran the cases) with its tensor literals shown as `inputs` says."""
    if inputs is FeedbackInputs.FULL:
        return text
    return shapes_only(text) if inputs is FeedbackInputs.SHAPE else _no_tensors(text)


def shapes_only(text: str) -> str:
    """Every `tensor(...)` literal in the text written as `<tensor of shape (...)>`."""
    parts, position = [], 0
    while (start := text.find(_TENSOR, position)) >= 0:
        if not _VALUES.match(text, start + len(_TENSOR)):  # prose: "my tensor(s) are ready"
            parts.append(text[position : start + len(_TENSOR)])
            position = start + len(_TENSOR)
            continue
        end, shape = _literal(text, start + len(_TENSOR))
        parts.append(text[position:start])
        if shape is None:
            parts.append("<tensor>")
        else:
            parts.append(f"<tensor of shape {_shape_text(shape)}>")
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _shape_text(shape: list[int]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def _no_tensors(text: str) -> str:
    return _SHAPED.sub("<tensor>", shapes_only(text))


def _literal(text: str, start: int) -> tuple[int, list[int] | None]:
    """(the index after the literal's closing parenthesis, its shape or None if unsure)."""
    depth, index = 1, start
    while index < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        index += 1
    inside = text[start : index - 1]
    data = _KEYWORDS.sub("", inside).strip()  # dtype=..., requires_grad=...
    if "..." in data or "…" in data:
        return index, None  # torch elided values: the shape cannot be counted
    return index, _shape(data)


def _shape(data: str) -> list[int] | None:
    """The shape of a nested list literal such as `[[1., 2.], [3., 4.]]`; [] for a scalar."""
    if not data.startswith("["):
        return [] if data and "[" not in data and "," not in data else None
    shape: list[int] = []
    level = data
    while level.startswith("["):
        inner = _first_list(level)
        if inner is None:
            return None
        items = _top_level_items(inner)
        shape.append(len(items))
        level = items[0].strip() if items else ""
    return shape


def _first_list(text: str) -> str | None:
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0:
            return text[1:index]
    return None


def _top_level_items(inner: str) -> list[str]:
    if not inner.strip():
        return []
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in inner:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return items
