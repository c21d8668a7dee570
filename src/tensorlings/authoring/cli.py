"""The pack commands: `tensorlings packs` (list them), `tensorlings pack new NAME` (write a
starting pack) and `tensorlings pack check PACK` (what is wrong with one)."""

from __future__ import annotations

import argparse
import inspect
import keyword
import re
from pathlib import Path
from typing import Any

from tensorlings.cli_common import console as _console
from tensorlings.errors import PackError, TensorlingsError

_PACK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def add_pack_parsers(sub: Any) -> None:
    listing = sub.add_parser("packs", help="list the installed packs")
    listing.set_defaults(func=cmd_packs)

    pack = sub.add_parser("pack", help="write or check a pack of exercises")
    actions = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="write a starting pack: a folder NAME here")
    new.add_argument("name", help="the pack's name: lowercase letters, digits and _")
    new.add_argument("--dir", default=".", help="where to write the folder (default: here)")
    new.set_defaults(func=cmd_pack_new)
    check = actions.add_parser(
        "check", help="check a pack: fields, references, stubs, mistakes, mutants"
    )
    check.add_argument("pack", metavar="PACK", help="an installed pack's name, or a path")
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    check.add_argument(
        "--verbose", action="store_true", help="also print the mutation audit's counts"
    )
    check.set_defaults(func=cmd_pack_check)
    imported = actions.add_parser(
        "import", help="write a pack from an existing sheet (.md, .py, .ipynb) and its solutions"
    )
    imported.add_argument("sheet", metavar="SHEET", help="the sheet: .md, .txt, .py or .ipynb")
    imported.add_argument("--solutions", metavar="FILE", help="a .py file of reference solutions")
    imported.add_argument(
        "--out", metavar="PACKDIR", required=True, help="the pack folder to write"
    )
    imported.add_argument(
        "--check", action="store_true", help="then run `pack check` on it (exit 1 on findings)"
    )
    imported.set_defaults(func=cmd_pack_import)


def cmd_packs(args: argparse.Namespace) -> int:
    from rich.table import Table

    from tensorlings import packs

    table = Table(header_style="bold")
    for column in ("name", "title", "version", "from", "exercises"):
        table.add_column(column, no_wrap=column == "name")
    for name, found in packs.installed().items():
        try:
            pack = packs.load(name)
        except PackError as error:
            table.add_row(name, f"cannot load: {error}", "", found.source, "")
            continue
        table.add_row(pack.name, pack.title, pack.version, found.source, str(len(pack)))
    _console().print(table)
    _console().print(
        "Use one with `--pack NAME`, or a pack file or folder with `--pack PATH`; "
        "`tensorlings pack new NAME` starts a new one."
    )
    return 0


def cmd_pack_new(args: argparse.Namespace) -> int:
    from tensorlings.authoring import pack_template

    name = args.name
    if not _PACK_NAME.match(name) or keyword.iskeyword(name):
        raise TensorlingsError(
            f"{name!r} is not a usable pack name: use lowercase letters, digits and _, "
            "starting with a letter (it becomes a Python package name)."
        )
    folder = Path(args.dir) / name
    if folder.exists():
        raise TensorlingsError(
            f"{folder} already exists; nothing was written. Choose another name, or remove it."
        )
    source = inspect.getsource(pack_template)
    title = name.replace("_", " ").capitalize()
    source = source.replace('TITLE = "Starter pack"', f"TITLE = {title!r}", 1)
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(source, encoding="utf-8")
    console = _console()
    console.print(f"wrote {folder / '__init__.py'}: a pack with one exercise of each kind.")
    console.print(
        f"Next: `tensorlings pack check {folder}`, then `tensorlings init --pack {folder} "
        "DIR` to try it as a learner. docs/authoring.md explains every field."
    )
    return 0


def cmd_pack_check(args: argparse.Namespace) -> int:
    import json

    from tensorlings import packs
    from tensorlings.authoring.pack_checks import PackCheckJSON, PackFinding, pack_report

    pack = None
    audits: tuple[Any, ...] = ()
    try:
        pack = packs.load(args.pack)
    except PackError as error:
        findings = [PackFinding(None, str(error), "fix the pack so that it imports.", "pack_error")]
    else:
        findings, audits = pack_report(pack)
    if getattr(args, "json", False):
        report: PackCheckJSON = {
            "schema": "tensorlings.pack_check_cli/1",
            "pack": args.pack,
            "version": pack.version if pack else None,
            "exercises": len(pack) if pack else 0,
            "clean": not findings,
            "findings": [f.to_json() for f in findings],
            "audit": [a.to_json() for a in audits],
        }
        print(json.dumps(report, indent=2))
        return 1 if findings else 0
    console = _console()
    if getattr(args, "verbose", False):
        for audit in audits:
            console.print(
                f"audit {audit.exercise_id}: {audit.tried} mutants tried, {audit.caught} "
                f"caught, {audit.survived} survived, {audit.skipped} never differ",
                markup=False,
                highlight=False,
            )
    for finding in findings:
        # one finding, one line, at any width: authors' scripts read them line by line
        console.print(finding.line(), markup=False, highlight=False, soft_wrap=True)
    if findings:
        noun = "finding" if len(findings) == 1 else "findings"
        console.print(f"{len(findings)} {noun} in pack {args.pack}.", markup=False)
        return 1
    assert pack is not None
    noun = "exercise" if len(pack) == 1 else "exercises"
    console.print(
        f"pack {pack.name} {pack.version}: {len(pack)} {noun}, no findings.", markup=False
    )
    return 0


def cmd_pack_import(args: argparse.Namespace) -> int:
    from tensorlings.importing import import_sheet

    solutions = Path(args.solutions) if args.solutions else None
    report = import_sheet(Path(args.sheet), solutions, Path(args.out))
    console = _console()
    for line in report.lines():
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if getattr(args, "check", False):
        console.print(f"\npack check {args.out}:", markup=False)
        return cmd_pack_check(argparse.Namespace(pack=str(Path(args.out)), json=False))
    return 0
