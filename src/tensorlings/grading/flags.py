"""Odd uploads: say what a submission is when it is not an ordinary workbook.

- `unreadable`: the file or folder could not be read, is not valid text or a valid notebook,
  or was refused (a symlink out of the submission);
- `empty`: nothing in it (no bytes, only blank space, a notebook with no or only blank cells,
  an empty folder);
- `no_code`: something in it, but no code (comments only, a notebook of markdown cells);
- `not_a_workbook`: code or files, but not this sheet's: another suffix, a binary file, or
  Python that defines none of the exercises;
- `untouched_template`: defines exercises, every one still as the template left it;
- `foreign_pack`: its header names a pack that is not installed (by a path, as a hostile upload
  would to have its own file imported) and not the one the instructor gave with --pack. The
  file it names is never imported; without --pack the submission is not checked.

Read from the bytes and the check report only; nothing here runs the submission.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection
from pathlib import Path

from tensorlings import files
from tensorlings.checker.results import CheckReport
from tensorlings.vocab import Status
from tensorlings.workbook_header import header_in, is_installed

_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(", re.MULTILINE)
_NOTEBOOK_LINE = re.compile(r"^\s*[!%]")


def workbook_flag(
    content: bytes | None,
    *,
    notebook: bool,
    report: CheckReport,
    exercise_ids: Collection[str] = (),
    pack: str | None = None,
) -> str | None:
    """The flag of a workbook file (None: an ordinary one). The exercises are
    `exercise_ids`, or when none are given those the report lists; `pack` is the name of the
    pack the instructor gave (None: each workbook's header chose)."""
    if content is None:
        return "unreadable"
    if not content.strip():
        return "empty"
    if names_foreign_pack(content, notebook=notebook, pack=pack):
        return "foreign_pack"
    code, flag = _notebook_code(content) if notebook else _text(content)
    if flag is not None:
        return flag
    # A verdict means the checker found a function in it: code, without parsing it again here.
    judged = any(r.status != Status.NOT_STARTED for r in report.exercises)
    if not judged and not any(_has_code(part) for part in code):
        return "no_code"
    ids = set(exercise_ids) or {r.id for r in report.exercises}
    defined = {name for part in code for name in _DEF.findall(part)}
    # A verdict means the checker found the function, however it was written (a lambda).
    defined |= {r.id for r in report.exercises if r.status != Status.NOT_STARTED}
    if not defined or (ids and not defined & ids):
        return "not_a_workbook"
    attempted = [r for r in report.exercises if r.id in defined]
    if (
        report.error is None
        and attempted
        and all(r.status == Status.NOT_STARTED for r in attempted)
    ):
        return "untouched_template"
    return None


def names_foreign_pack(content: bytes, *, notebook: bool, pack: str | None) -> bool:
    """Whether the header names a pack that is neither installed nor the one given."""
    header = header_in(content, notebook=notebook)
    return header is not None and header.name != pack and not is_installed(header.name)


NO_EXERCISE = {
    "empty": "it is empty",
    "no_code": "it holds no code",
    "not_a_workbook": "no function in it has an exercise's name",
}


def no_exercise_reason(
    path: Path, report: CheckReport, exercise_ids: Collection[str]
) -> str | None:
    """Why a checked file is not a workbook at all (so nothing was checked), or None.
    `exercise_ids` are all the sheet's, whichever were checked."""
    if report.error is not None:
        return None
    try:
        content = files.read_bytes(path)
    except files.UnreadableFile:
        return None
    notebook = path.suffix.lower() == ".ipynb"
    flag = workbook_flag(content, notebook=notebook, report=report, exercise_ids=exercise_ids)
    if flag not in NO_EXERCISE:
        return None
    return (
        f"{path} defines none of the {len(exercise_ids)} exercises ({NO_EXERCISE[flag]}), "
        "so nothing was checked. Check the workbook that `tensorlings init` wrote, with your "
        f"solutions in its functions ({_first_ids(exercise_ids)}), or give its path."
    )


def _first_ids(exercise_ids: Collection[str]) -> str:
    """The pack's own first exercise ids, whichever pack it is."""
    first = list(exercise_ids)[:2]
    return ", ".join(first) + (", …" if len(exercise_ids) > len(first) else "")


Code = tuple[list[str], str | None]  # (the code to read, or a flag that settles it)


def _text(content: bytes) -> Code:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [], "unreadable"  # UTF-16 text (Windows' "Unicode"): text, in the wrong encoding
    if b"\0" in content:
        return [], "not_a_workbook"  # a binary file (a PDF, an image, an archive) named .py
    # A stray byte that is not UTF-8 is read as U+FFFD, as the checker reads it (files.py).
    return [content.decode("utf-8-sig", errors="replace")], None


def _notebook_code(content: bytes) -> Code:
    where = Path("notebook")
    try:
        notebook = files.load_json(where, content)
    except files.UnreadableFile:
        # Starts like JSON: a damaged notebook. Otherwise something else named .ipynb.
        return [], "unreadable" if content.lstrip()[:1] == b"{" else "not_a_workbook"
    if not files.is_notebook(notebook):
        return [], "not_a_workbook"
    try:
        every = files.cell_sources(where, notebook, _ANY_CELL)
        code = files.cell_sources(where, notebook, ("code",))
    except files.UnreadableFile:
        return [], "unreadable"  # a cell whose source is not text: a damaged notebook
    if not any(source.strip() for source in every):
        return [], "empty"
    return code, None


_ANY_CELL = ("code", "markdown", "raw")


def _has_code(text: str) -> bool:
    """Any statement that is not a comment, a bare string or a notebook line."""
    lines = [line for line in text.splitlines() if not _NOTEBOOK_LINE.match(line)]
    try:
        tree = files.parse_python("\n".join(lines))
    except SyntaxError:
        return any(line.strip() and not line.strip().startswith("#") for line in lines)
    return any(
        not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        for node in tree.body
    )
