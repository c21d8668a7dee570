"""`tensorlings.check(fn)`: check one function right where it was written.

Runs in the learner's own process (a notebook kernel or VS Code's interactive window) with the
same probes, rules and judges as `tensorlings check`, and prints the same diagnosis. There is
no isolation here: the code is the learner's own, in their own kernel. A function that never
returns must be interrupted by hand (the kernel's stop button); the timeout still applies to
Python code.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tensorlings.checker.results import ExerciseResult
from tensorlings.checker.sandbox import Limits
from tensorlings.errors import UnknownExercise
from tensorlings.worker import recorder
from tensorlings.worker.child import Child


@dataclass
class _Lines:
    """Just enough of a workbook for messages: where a line is and what it says."""

    source_file: str
    lines: list[str] = field(default_factory=list)

    def where(self, line: int) -> str:
        return f"line {line}"

    def line_text(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""


class InProcessRunner:
    """Runs probes on a live function in this process, with the worker's own call runner."""

    def __init__(self, fn: Any, name: str, limits: Limits) -> None:
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
        self.fn = fn
        self.limits = limits
        self.loaded = {"functions": {name: "function"}}
        try:
            text = Path(filename).read_text(encoding="utf-8").splitlines()
        except OSError:
            text = []
        self.workbook = _Lines(filename, text)
        self.child = Child(sock=None, output_limit=limits.output_chars)  # type: ignore[arg-type]
        self.child.filename = fn.__code__.co_filename
        self.child.recorder.learner_file = fn.__code__.co_filename
        self.wrapped = False
        self.coach = False  # timing against the reference needs the isolated worker

    def run(
        self, name: str, calls: list[dict[str, Any]], record: bool, seconds: float
    ) -> list[Any]:
        if not self.wrapped:
            recorder.wrap_einops(self.child.recorder)
            self.wrapped = True
        results: list[Any] = []
        for call in calls:
            if results and results[-1].get("status") == "timeout":
                results.append({"status": "skipped"})  # one timeout is enough to know
            else:
                results.append(self.child.run_call(self.fn, call, record, seconds))
        return results


def check_function(
    fn: Any, exercise_id: str | None = None, *, seed: int = 0, pack: str | None = None
) -> ExerciseResult:
    """Check `fn` against the exercise named like it (or `exercise_id`) of the sheet, or of
    `pack` (an installed pack's name or a path), and print the verdict."""
    from rich.console import Console

    from tensorlings import packs
    from tensorlings.checker import static
    from tensorlings.checker.exercise_judges import judge_exercise
    from tensorlings.render import exercise_block

    name = str(exercise_id or getattr(fn, "__name__", ""))
    try:
        exercise = packs.load(pack).get(name)
    except UnknownExercise as error:
        raise UnknownExercise(
            f"{error} To check a function under another name, pass the exercise id: "
            f"tensorlings.check({name}, 'relu_abs')."
        ) from None
    runner = InProcessRunner(fn, exercise.id, Limits())
    functions: dict[str, Any] = {}
    try:
        import ast
        import textwrap

        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        start = fn.__code__.co_firstlineno - 1
        ast.increment_lineno(tree, start)
        functions = static.last_definitions(tree.body)
        if exercise.id not in functions and functions:
            functions = {exercise.id: next(iter(functions.values()))}
        statements: list[Any] = list(tree.body)
    except (OSError, TypeError, SyntaxError):
        statements = []
    bindings = static.module_bindings(statements)
    result = judge_exercise(exercise, runner, functions, bindings, seed, "cpu")
    exercise_block(Console(), result)
    return result
