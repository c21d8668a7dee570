"""The structure drawn from the imports: no circle of modules, no import running back up a
layer (the layers are declared in tensorlings/devtools_imports.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tensorlings import devtools_imports
from tensorlings.devtools_imports import Edge, circles, edges_of, graph, layer_of, upward


def _where(edge: Edge) -> str:
    return (
        f"{edge.source} (line {edge.line}, layer {layer_of(edge.source)!r}) imports "
        f"{edge.target} (layer {layer_of(edge.target)!r})"
    )


@pytest.fixture(scope="module")
def drawn() -> list[Edge]:
    return graph()


def test_no_modules_import_each_other_in_a_circle(drawn: list[Edge]) -> None:
    found = circles(drawn)
    assert found == [], "\n".join(f"{len(c)} modules: {', '.join(c)}" for c in found)


def test_no_import_runs_from_a_lower_layer_to_a_higher_one(drawn: list[Edge]) -> None:
    found = upward(drawn)
    assert found == [], "\n".join(_where(edge) for edge in found)


def test_every_module_is_in_a_layer() -> None:
    for module in devtools_imports.modules():
        layer_of(module)  # raises LookupError naming the module that no layer claims


def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = tmp_path / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return devtools_imports.modules(tmp_path / "pkg")


def test_imports_inside_functions_and_relative_imports_are_drawn(tmp_path: Path) -> None:
    known = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": """\
                from typing import TYPE_CHECKING
                from . import b
                if TYPE_CHECKING:
                    from pkg import c
                def late():
                    from .sub.d import thing
            """,
            "b.py": "",
            "c.py": "",
            "sub/__init__.py": "",
            "sub/d.py": "from .. import c\nimport pkg.b\n",
        },
    )
    drawn = {name: edges_of(name, path, known) for name, path in known.items()}
    assert drawn["pkg.a"] == [Edge("pkg.a", "pkg.b", 2), Edge("pkg.a", "pkg.sub.d", 6)]
    assert drawn["pkg.sub.d"] == [Edge("pkg.sub.d", "pkg.b", 2), Edge("pkg.sub.d", "pkg.c", 1)]


def test_a_circle_is_found_however_long_and_a_chain_is_not() -> None:
    ring = [Edge(f"m{i}", f"m{(i + 1) % 3000}", 1) for i in range(3000)]
    chain = [Edge("x", "y", 1), Edge("y", "z", 1), Edge("x", "z", 2)]
    found = circles(ring + chain + [Edge("p", "q", 1), Edge("q", "p", 3)])
    assert [len(c) for c in found] == [3000, 2]
    assert found[1] == ("p", "q")


def test_an_import_up_a_layer_is_named_with_its_line() -> None:
    edges = [
        Edge("tensorlings.vocab", "tensorlings.cli", 7),
        Edge("tensorlings.cli", "tensorlings.vocab", 3),
    ]
    assert upward(edges) == [edges[0]]
    assert _where(edges[0]).startswith("tensorlings.vocab (line 7, layer 'foundation')")


def test_the_page_lists_every_layer() -> None:
    text = devtools_imports.page()
    for number, name in enumerate(devtools_imports.LAYER_NAMES, start=1):
        assert f"## {number}. {name}" in text
