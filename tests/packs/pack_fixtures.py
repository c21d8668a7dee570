"""Tiny packs written into a test's folder: as one file, as a package folder, and installed
(a package plus a *.dist-info holding entry_points.txt, the way pip leaves one)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# A string only the pack's own source holds: learner code that sees it has read the pack.
MARKER = "TINY_PACK_SOLUTION_MARKER_7731"

PACK_SOURCE = textwrap.dedent(
    '''
    """A one-exercise pack for the tests."""

    import torch

    from tensorlings.exercise import Draw, Example, Exercise, RandomCases

    TITLE = "Tiny pack"
    # In a string, so that the compiled bytecode holds it too.
    SECRET = "@MARKER@"
    VERSION = "@VERSION@"


    def doubled(x: torch.Tensor) -> torch.Tensor:
        # @MARKER@
        return x * 2


    def _case(draw: Draw) -> tuple[torch.Tensor]:
        return (draw.normal("n"),)


    EXERCISES = (
        Exercise(
            id="doubled",
            section="Basics",
            title="Double every entry",
            prompt="Return x with every entry doubled.",
            solution=doubled,
            hints=("What does multiplying by 2 do?",),
            examples=(Example((torch.tensor([1.0, 2.0]),), torch.tensor([2.0, 4.0])),),
            cases=RandomCases(make=_case, sizes={"n": (1, 5)}),
        ),
    )
    '''
).replace("@MARKER@", MARKER)


def pack_source(version: str) -> str:
    return PACK_SOURCE.replace("@VERSION@", version)


def write_file_pack(folder: Path, name: str = "tiny", version: str = "1.0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(pack_source(version), encoding="utf-8")
    return path


def write_folder_pack(folder: Path, name: str = "tiny_folder", version: str = "1.0") -> Path:
    package = folder / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(pack_source(version), encoding="utf-8")
    return package


def install_pack(site: Path, module: str = "tiny_installed", pack_name: str = "tiny") -> Path:
    """The pack as an installed distribution in `site` (a folder to put on PYTHONPATH)."""
    write_folder_pack(site, module)
    info = site / f"{module}-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.3\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[tensorlings.packs]\n{pack_name} = {module}\n", encoding="utf-8"
    )
    return site


# The console a script reads: no colour, lines up to 200 columns.
PLAIN = {"NO_COLOR": "1", "COLUMNS": "200"}


def tensorlings(
    *args: str,
    cwd: Path,
    pythonpath: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **PLAIN, **(env or {})}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "tensorlings", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def stub_body(text: str, exercise_id: str, body: str) -> str:
    """The workbook text with the stub of `exercise_id` given this body instead of `pass`."""
    start = text.index(f"def {exercise_id}(")
    end = text.index("    pass\n", start)
    return text[:end] + textwrap.indent(textwrap.dedent(body), "    ") + text[end + 9 :]
