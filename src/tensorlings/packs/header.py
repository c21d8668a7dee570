"""Which pack a workbook was made from: a header line the workbook carries, and the choice of
pack for a command (the `--pack` given, else the installed pack the workbook's header names,
else the sheet).

A header is the workbook's word, and a workbook may come from anyone: it may name an installed
pack, never choose code to import. A header that names a pack by path (as `init --pack PATH`
writes it) is only a note of where the pack was; the user passes `--pack PATH` to use it.

>>> parse_header("# %% [markdown]\\n# tensorlings-pack: from_scratch 1.0\\n")
Header(name='from_scratch', version='1.0', path=None)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tensorlings import packs
from tensorlings.catalogue import Catalogue
from tensorlings.errors import PackError
from tensorlings.grading.safe_text import safe_text
from tensorlings.workbook_header import (
    MARK,
    Header,
    header_in,
    is_installed,
    parse_header,
    read_header,
)

__all__ = [
    "MARK", "Chosen", "ForeignPack", "Header", "choose", "foreign_pack_message", "header_in",
    "header_line", "is_installed", "parse_header", "read_header",
]  # fmt: skip


@dataclass(frozen=True)
class Chosen:
    """The pack a command works with, and notes to show about the choice."""

    catalogue: Catalogue
    notes: tuple[str, ...] = ()


def header_line(catalogue: Catalogue) -> str:
    where = f" from {catalogue.path}" if catalogue.path else ""
    return f"{MARK} {catalogue.name} {catalogue.version}{where}"


class ForeignPack(PackError):
    """A workbook's header names a pack that is not installed: it is not loaded on its word."""


def choose(spec: str | None, workbook: Path | None = None) -> Chosen:
    """The pack to use: `spec` when given, else the installed pack the workbook's header
    names, else the sheet. Raises ForeignPack when the header names a pack not installed."""
    header = read_header(workbook) if workbook is not None else None
    if spec is not None:
        catalogue = packs.load(spec)
        if header is not None and header.name != catalogue.name:
            note = (
                f"{workbook} was made from pack {header.name!r}; checking it against "
                f"{catalogue.name!r} as --pack asks."
            )
            return Chosen(catalogue, (note,))
        return Chosen(catalogue, _version_notes(header, catalogue, workbook) if header else ())
    if header is None:
        return Chosen(packs.load(None))
    if not is_installed(header.name):
        raise ForeignPack(foreign_pack_message(header, workbook))
    catalogue = packs.load_installed(header.name)
    return Chosen(catalogue, _version_notes(header, catalogue, workbook))


def foreign_pack_message(header: Header, workbook: Path | str | None) -> str:
    """What happened, why, and what to do, for a header that names a pack not installed."""
    where = f" (from {safe_text(header.path)})" if header.path else ""
    given = safe_text(header.path or header.name)
    return (
        f"{workbook} was made from pack {header.name!r}{where}, which is not installed here. "
        "A workbook may not choose code for tensorlings to run (anyone can write its header "
        "line), so the pack it names was not loaded. If you trust that pack, give it yourself: "
        f"--pack {given}. Installed packs: {', '.join(packs.installed())}."
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
