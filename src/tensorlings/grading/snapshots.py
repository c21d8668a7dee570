"""Check exactly what was hashed: a private copy of each workbook, taken when the run starts.

A stray process left by an earlier check (where the sandbox is weak) could append code to a
neighbour's submission between the moment its bytes are hashed and the moment it is checked.
Checking a copy written by the grading process, in the output folder (which the sandbox
hides), means the verdict is always that of the bytes the result's hash names. Reports never
show the copy: every mention of its path is replaced by the submission's own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

FOLDER = ".checking"


def replaced_paths(value: Any, paths: Mapping[str, str]) -> Any:
    """The JSON data with each path (a key) replaced by what to show instead (its value);
    longer paths first, so that a folder never cuts a file's path in two."""
    order = sorted(paths, key=len, reverse=True)
    if isinstance(value, str):
        for old in order:
            value = value.replace(old, paths[old])
        return value
    if isinstance(value, dict):
        return {k: replaced_paths(v, paths) for k, v in value.items()}
    if isinstance(value, list):
        return [replaced_paths(v, paths) for v in value]
    return value


def path_forms(path: Path) -> list[str]:
    """The ways a path may appear in a report: as given and with every link resolved."""
    forms = {str(path)}
    with contextlib.suppress(OSError):
        forms.add(str(path.resolve()))
    return sorted(forms)


class Snapshots:
    """The copies of one run, in OUT/.checking/<submission>/<workbook name>."""

    def __init__(self, out_dir: Path) -> None:
        self.folder = Path(out_dir) / FOLDER
        self.shown: dict[str, str] = {}  # the copy's path forms → the original's path

    def take(self, name: str, original: Path, content: bytes) -> Path:
        copy = self.folder / name / original.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        copy.write_bytes(content)
        for form in path_forms(copy):
            self.shown[form] = str(original)
        for form in path_forms(copy.parent):
            self.shown.setdefault(form, str(original.parent))
        return copy

    def clean(self, data: dict[str, Any]) -> dict[str, Any]:
        return dict(replaced_paths(data, self.shown))

    @contextlib.contextmanager
    def kept_for_the_run(self) -> Iterator[Snapshots]:
        """Remove the copies when the run ends (and any a killed run left)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            yield self
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
