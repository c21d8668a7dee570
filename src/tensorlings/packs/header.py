"""Which pack a workbook was made from: a header line the workbook carries, and the choice of
pack for a command (the `--pack` given, else the workbook's header, else the sheet).

>>> parse_header("# %% [markdown]\\n# tensorlings-pack: from_scratch 1.0\\n")
Header(name='from_scratch', version='1.0', path=None)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tensorlings import packs
from tensorlings.catalogue import SHEET, Catalogue
from tensorlings.errors import PackError

MARK = "tensorlings-pack:"
_LINE = re.compile(
    r"^[#\s]*tensorlings-pack: (?P<name>[A-Za-z0-9_-]+) (?P<version>\S+)(?: from (?P<path>.+))?$",
    re.MULTILINE,
)
READ_BYTES = 256 * 1024  # the header is in the first cell; never read a huge file whole


@dataclass(frozen=True)
class Header:
    name: str
    version: str
    path: str | None = None  # a pack given by path: where it was


@dataclass(frozen=True)
class Chosen:
    """The pack a command works with, and notes to show about the choice."""

    catalogue: Catalogue
    notes: tuple[str, ...] = ()


def header_line(catalogue: Catalogue) -> str:
    where = f" from {catalogue.path}" if catalogue.path else ""
    return f"{MARK} {catalogue.name} {catalogue.version}{where}"


def parse_header(text: str) -> Header | None:
    found = _LINE.search(text)
    if found is None:
        return None
    path = found["path"].strip() if found["path"] else None
    return Header(found["name"], found["version"], path)


def read_header(workbook: Path) -> Header | None:
    """The header of a workbook file; None when it has none (or cannot be read)."""
    try:
        with open(workbook, "rb") as stream:
            raw = stream.read(READ_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    if workbook.suffix == ".ipynb":
        raw = _notebook_text(raw)
    return parse_header(raw)


def _notebook_text(raw: str) -> str:
    try:
        cells = json.loads(raw).get("cells", [])
    except (ValueError, AttributeError):
        return ""  # a cut or damaged notebook: the checker reports that itself
    parts = []
    for cell in cells[:3] if isinstance(cells, list) else []:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        parts.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(parts)


def choose(spec: str | None, workbook: Path | None = None) -> Chosen:
    """The pack to use: `spec` when given, else the one the workbook's header names."""
    header = read_header(workbook) if workbook is not None else None
    if spec is not None:
        catalogue = packs.load(spec)
        notes = []
        if header is not None and header.name != catalogue.name:
            notes.append(
                f"{workbook} was made from pack {header.name!r}; checking it against "
                f"{catalogue.name!r} as --pack asks."
            )
        return Chosen(catalogue, tuple(notes))
    if header is None:
        return Chosen(packs.load(None))
    catalogue = _from_header(header, workbook)
    return Chosen(catalogue, _version_notes(header, catalogue, workbook))


def _from_header(header: Header, workbook: Path | None) -> Catalogue:
    if header.name == SHEET or header.name in packs.installed():
        return packs.load(header.name)
    if header.path and Path(header.path).exists():
        return packs.load_path(Path(header.path))
    where = f" (from {header.path})" if header.path else ""
    raise PackError(
        f"{workbook} was made from pack {header.name!r}{where}, which is not installed here. "
        f"Installed packs: {', '.join(packs.installed())}. Give the pack with --pack NAME or "
        "--pack PATH."
    )


def _version_notes(header: Header, catalogue: Catalogue, workbook: Path | None) -> tuple[str, ...]:
    if header.version == catalogue.version:
        return ()
    return (
        f"{workbook} was made from pack {header.name!r} version {header.version}, but the pack "
        f"here is version {catalogue.version}: its exercises may have changed. Run "
        f"`tensorlings init --pack {catalogue.path or catalogue.name}` in another folder to "
        "see the new workbook.",
    )
