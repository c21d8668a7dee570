"""Whatever a sheet holds, `import` writes a pack or stops with an ImportProblem: never a
traceback, never running the sheet."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tensorlings.importing import ImportProblem, import_sheet

_FRAGMENTS = [
    "def f(x):\n    pass\n",
    "def g(a: int, b) -> float:\n    '''a: shape (n, m). b: an integer in [0..n).'''\n    ...\n",
    "assert f(1) == 2\n",
    "assert_all_close(f(t.tensor([1.0])), t.tensor([2.0]), rtol=0.1)\n",
    "for x, y in [(1, 2), (3,)]:\n    assert f(x) == y\n",
    "x = t.randn(3)\nassert f(x) == x\n",
    "assert g(t.arange(10 ** 9), 2) == 1\n",
    "assert f(__import__('os').system('false')) == 0\n",
    "test_cases = [TestCase(output=t.tensor([1]), size=(1,), stride=(1,))]\n",
    "y = t.tensor([[1, 2], [3]])\n",
    "def h(x):\n    # TODO\n    return x\n",
    "assert f(" * 50 + "1" + ")" * 50 + " == 1\n",
    "```python\n",
    "```\n",
    "# Heading\n",
    "Some prose: what does this print?\n",
    "print(t.arange(3))\n",
    "\x00\ud7ff\n",
]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8), st.sampled_from([".md", ".py", ".txt"]))
def test_any_mix_of_fragments_imports_or_stops_cleanly(parts: list[str], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / f"sheet{suffix}"
        sheet.write_text("import torch as t\n" + "\n".join(parts), encoding="utf-8")
        try:
            report = import_sheet(sheet, None, Path(folder) / "out")
        except ImportProblem:
            return
        ast.parse((Path(folder) / "out" / "__init__.py").read_text())  # the pack is Python
        assert report.functions or report.puzzles
