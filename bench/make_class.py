"""Make a class of N submissions to grade: correct, wrong and hazardous workbooks, mixed.

    python bench/make_class.py OUT_FOLDER 200 [--seed 0]

Correct ones are the reference workbook (as .py, as a notebook, or in a folder); wrong ones
carry a typical mistake; hazardous ones loop forever, allocate 400 GB or end their process
from inside a function. The mix is fixed by the seed, and `.expected.json` says what each is.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import random
from dataclasses import dataclass
from pathlib import Path

from tensorlings.workbook import learner_cells, reference_cells, to_ipynb, to_py


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # correct | wrong | hazardous | not_started
    function: str | None = None  # the exercise whose body is replaced
    body: str = ""


WRONG = (
    Variant("softmax_without_max", "wrong", "batched_softmax",
            "e = matrix.exp()\nreturn e / e.sum(dim=-1, keepdim=True)"),
    Variant("logsumexp_unstable", "wrong", "batched_logsumexp",
            "return matrix.exp().sum(dim=-1).log()"),
    Variant("identity_with_eye", "wrong", "identity_matrix", "return torch.eye(n)"),
    Variant("columns_as_rows", "wrong", "collect_columns", "return matrix[column_indexes]"),
    Variant("population_std", "wrong", "temperatures_normalized",
            "weeks = rearrange(temps, '(w d) -> w d', d=7)\n"
            "centred = weeks - weeks.mean(-1, keepdim=True)\n"
            "z = centred / weeks.std(-1, unbiased=False, keepdim=True)\n"
            "return rearrange(z, 'w d -> (w d)')"),
    Variant("raises", "wrong", "relu_where", "raise ValueError('not sure how')"),
)  # fmt: skip
HAZARDOUS = (
    Variant("infinite_loop", "hazardous", "batched_softmax", "while True:\n    pass"),
    Variant("memory_bomb", "hazardous", "identity_matrix", "return t.zeros(10**11)"),
    Variant("exits_process", "hazardous", "relu_abs", "import os\nos._exit(3)"),
)  # fmt: skip
CORRECT = Variant("reference", "correct")
NOT_STARTED = Variant("stub", "not_started")


def replace_body(source: str, function: str, body: str) -> str:
    """The source with one top-level function's body replaced (docstring and all)."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            lines = source.splitlines()
            first, last = node.body[0].lineno - 1, node.body[-1].end_lineno or node.lineno
            indented = ["    " + line for line in body.splitlines()]
            return "\n".join([*lines[:first], *indented, *lines[last:]]) + "\n"
    raise ValueError(f"the reference workbook has no function {function!r}")


def choose(rng: random.Random) -> Variant:
    roll = rng.random()
    if roll < 0.45:
        return CORRECT
    if roll < 0.80:
        return rng.choice(WRONG)
    if roll < 0.90:
        return NOT_STARTED
    return rng.choice(HAZARDOUS)


@functools.cache
def workbook_text(stub: bool, notebook: bool) -> str:
    """The learner's (stub) or the reference workbook, as .py or .ipynb text."""
    cells = learner_cells() if stub else reference_cells()
    return to_ipynb(cells) if notebook else to_py(cells)


def write_submission(folder: Path, name: str, variant: Variant, rng: random.Random) -> Path:
    """One submission: a .py, a notebook, or a folder holding workbook.py."""
    stub = variant.kind == "not_started"
    text = workbook_text(stub, notebook=False)
    if variant.function is not None:
        text = replace_body(text, variant.function, variant.body)
    shape = rng.choice(("py", "folder", "ipynb")) if variant.function is None else "py"
    if shape == "ipynb":
        path = folder / f"{name}.ipynb"
        path.write_text(workbook_text(stub, notebook=True), encoding="utf-8")
    elif shape == "folder":
        path = folder / name / "workbook.py"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        path = path.parent
    else:
        path = folder / f"{name}.py"
        path.write_text(text, encoding="utf-8")
    return path


def make_class(folder: Path, count: int, seed: int = 0) -> dict[str, str]:
    """Write `count` submissions into `folder`; returns {submission name: variant name}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    expected = {}
    for number in range(1, count + 1):
        name = f"student_{number:03d}"
        variant = choose(rng)
        write_submission(folder, name, variant, rng)
        expected[name] = f"{variant.kind}:{variant.name}"
    (folder / ".expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    expected = make_class(args.folder, args.count, args.seed)
    kinds: dict[str, int] = {}
    for value in expected.values():
        kinds[value.split(":")[0]] = kinds.get(value.split(":")[0], 0) + 1
    print(f"wrote {len(expected)} submissions to {args.folder}: {kinds}")


if __name__ == "__main__":
    main()
