"""The same learner file gets the same verdict under every seed, and the verdict an instructor
expects: each file of `seed_corpus/` is checked under several seeds and every exercise it
defines must come out with the status and the failing problem kinds its manifest gives.

The corpus holds near-miss mistakes for every function exercise (numerics stable only on the
sheet's examples, axis mix-ups, sizes hard-coded to the sheet's, wrong dtypes, in-place
mutation...), correct controls written as learners write them, and edge cases (None, raising,
returning the input or a list). Named mistakes are not asserted: the kinds are the verdict.

Cost: one check per (file, seed), all of a file's exercises in it, through the session's
worker, without the coach. The numerics and indexing files (whose verdicts rested on random
draws before they got fixed witnesses) and the sampling files (judged on statistics of random
draws) run under all 8 seeds; the rest under 3, since their verdicts come from the examples
and fixed inputs, and pack check's `seed_dependent` audit covers their declared mistakes under
16 seeds. `SEED_CORPUS_ALL_SEEDS=1` runs every file under all 8 seeds (about twice as long).
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

from tensorlings import catalogue
from tensorlings.checker.check import check_path
from tensorlings.checker.sandbox import ZygoteHandle

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the same parser, installed on 3.10 (see pyproject.toml)
    import tomli as tomllib

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "seed_corpus"
MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
ALL_SEEDS = range(8)
FEW_SEEDS = range(3)
# Files whose verdicts rested on a random draw before (numerics, shapes of indexes), and
# the statistical judge of sampling.
EVERY_SEED = ("num_", "indexing_", "sampling_")


def _seeds(name: str) -> range:
    if os.environ.get("SEED_CORPUS_ALL_SEEDS") or name.startswith(EVERY_SEED):
        return ALL_SEEDS
    return FEW_SEEDS


CASES = [(name, seed) for name in sorted(MANIFEST) for seed in _seeds(name)]


def _expected(name: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {
        exercise: (entry["status"], tuple(sorted(entry["kinds"])))
        for exercise, entry in MANIFEST[name].items()
    }


@pytest.mark.parametrize(("name", "seed"), CASES, ids=[f"{n}-seed{s}" for n, s in CASES])
def test_corpus_file_gets_its_expected_verdict_under_the_seed(
    name: str, seed: int, zygote: ZygoteHandle
) -> None:
    report = check_path(CORPUS / name, seed=seed, zygote=zygote, coach=False)
    assert report.error is None, report.error
    expected = _expected(name)
    actual = {
        result.id: (
            result.status,
            tuple(sorted({p.kind for p in result.problems if p.fails})),
        )
        for result in report.exercises
        if result.status != "not_started" or result.id in expected
    }
    wrong = {
        exercise: {"expected": expected.get(exercise), "got": got}
        for exercise, got in actual.items()
        if expected.get(exercise) != got
    }
    assert not wrong, f"{name} under seed {seed}: {wrong}"
    assert actual.keys() == expected.keys()


def test_manifest_lists_exactly_the_functions_each_file_defines() -> None:
    files = {path.name for path in CORPUS.glob("*.py")}
    assert files == set(MANIFEST)
    for name in files:
        tree = ast.parse((CORPUS / name).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert defined == set(MANIFEST[name]), name


def test_corpus_has_two_mistakes_and_a_passing_control_for_every_function_exercise() -> None:
    failing: dict[str, int] = {}
    passing: set[str] = set()
    for entries in MANIFEST.values():
        for exercise, entry in entries.items():
            if entry["status"] == "failed":
                failing[exercise] = failing.get(exercise, 0) + 1
            elif entry["status"] == "passed":
                passing.add(exercise)
    functions = [
        e.id
        for e in catalogue.exercises()
        if e.judge.kind in ("function", "sampling") and e.cases is not None
    ]
    assert functions, "no function exercise found"
    short = {e: failing.get(e, 0) for e in functions if failing.get(e, 0) < 2}
    assert not short, f"fewer than two mistakes in the corpus: {short}"
    assert not [e for e in functions if e not in passing], "an exercise without a control"
