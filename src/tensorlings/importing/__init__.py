"""`tensorlings pack import`: turn an existing exercise sheet (Markdown, a `.py` script, a
notebook) and its solutions into a pack in the ordinary form, every guess marked for review."""

from __future__ import annotations

from tensorlings.importing.errors import ImportProblem
from tensorlings.importing.pipeline import ImportReport, import_sheet

__all__ = ["ImportProblem", "ImportReport", "import_sheet"]
