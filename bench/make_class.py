"""Make a class of N submissions to grade: correct, wrong and hazardous workbooks, mixed.

    python bench/make_class.py OUT_FOLDER 200 [--seed 0] [--odd-uploads]

Correct ones are the reference workbook (as .py, as a notebook, or in a folder); wrong ones
carry a typical mistake; hazardous ones loop forever, allocate 400 GB or end their process
from inside a function. With --odd-uploads, some are odd uploads instead (an empty file, a
PDF, another course's script, a notebook of markdown only, a damaged notebook). The mix is
fixed by the seed, and `.expected.json` says what each is ("kind:variant"); EXPECTED_FLAGS
gives the flag each odd variant must get, and `shared_groups` the groups of submissions
that share a mistake.
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
ODD = (
    Variant("empty", "odd"),
    Variant("pdf", "odd"),
    Variant("other_script", "odd"),
    Variant("markdown_only", "odd"),
    Variant("damaged_notebook", "odd"),
)
EXPECTED_FLAGS = {
    "odd:empty": "empty",
    "odd:pdf": "not_a_workbook",
    "odd:other_script": "not_a_workbook",
    "odd:markdown_only": "no_code",
    "odd:damaged_notebook": "unreadable",
    "not_started:stub": "untouched_template",
}
_MARKDOWN_ONLY = (
    '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# My answers\\n", '
    '"I will do these later."]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
)
_ODD_FILES: dict[str, tuple[str, bytes]] = {
    "empty": (".py", b""),
    "pdf": (".py", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00<< /Type /Catalog >>\n"),
    "other_script": (".py", b"import pandas as pd\n\ndf = pd.read_csv('week3.csv')\nprint(df)\n"),
    "markdown_only": (".ipynb", _MARKDOWN_ONLY.encode()),
    "damaged_notebook": (".ipynb", b'{"cells": [{"cell_type": "code", "source": ["def rearr'),
}


def replace_body(source: str, function: str, body: str) -> str:
    """The source with one top-level function's body replaced (docstring and all); where the
    workbook defines it twice, the last definition, which is the one that counts."""
    tree = ast.parse(source)
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            lines = source.splitlines()
            first, last = node.body[0].lineno - 1, node.body[-1].end_lineno or node.lineno
            indented = ["    " + line for line in body.splitlines()]
            return "\n".join([*lines[:first], *indented, *lines[last:]]) + "\n"
    raise ValueError(f"the reference workbook has no function {function!r}")


def choose(rng: random.Random, odd: bool = False) -> Variant:
    if odd and rng.random() < 0.15:
        return rng.choice(ODD)
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
    if variant.kind == "odd":
        suffix, content = _ODD_FILES[variant.name]
        path = folder / f"{name}{suffix}"
        path.write_bytes(content)
        return path
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


def shared_groups(expected: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """{(exercise, variant): submissions} for every wrong variant made by two or more."""
    by_name = {f"{v.kind}:{v.name}": v for v in WRONG}
    groups: dict[tuple[str, str], list[str]] = {}
    for name, made in sorted(expected.items()):
        variant = by_name.get(made)
        if variant is not None and variant.function is not None:
            groups.setdefault((variant.function, variant.name), []).append(name)
    return {key: names for key, names in groups.items() if len(names) >= 2}


def make_class(
    folder: Path,
    count: int,
    seed: int = 0,
    odd: bool = False,
    variants: tuple[Variant, ...] | None = None,
) -> dict[str, str]:
    """Write `count` submissions into `folder`; returns {submission name: variant name}.
    `variants`, when given, are used in turn instead of the random mix."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    expected = {}
    for number in range(1, count + 1):
        name = f"student_{number:03d}"
        variant = variants[(number - 1) % len(variants)] if variants else choose(rng, odd)
        write_submission(folder, name, variant, rng)
        expected[name] = f"{variant.kind}:{variant.name}"
    (folder / ".expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--odd-uploads", action="store_true", help="mix in odd uploads")
    args = parser.parse_args()
    expected = make_class(args.folder, args.count, args.seed, odd=args.odd_uploads)
    kinds: dict[str, int] = {}
    for value in expected.values():
        kinds[value.split(":")[0]] = kinds.get(value.split(":")[0], 0) + 1
    print(f"wrote {len(expected)} submissions to {args.folder}: {kinds}")


if __name__ == "__main__":
    main()
