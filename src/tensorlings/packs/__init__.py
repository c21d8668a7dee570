"""Finding packs: installed ones through the `tensorlings.packs` entry point group, or a local
file or folder given by path.

A pack is a module (a `.py` file, or a package folder) that defines `TITLE`, `VERSION` and either
`EXERCISES` (a sequence of Exercise) or `SECTIONS` (names of its submodules, each with its own
`EXERCISES`); `NAME` is optional (default: the file or folder name). An installed pack names its
module in its `pyproject.toml`:

    [project.entry-points."tensorlings.packs"]
    my_pack = "my_pack"
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from tensorlings.catalogue import SHEET, Catalogue, exercises_of, sheet
from tensorlings.errors import PackError
from tensorlings.workbook_header import GROUP

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# Local packs are imported under this prefix, never under a name learner code could guess.
LOCAL_PREFIX = "tensorlings_local_pack_"


@dataclass(frozen=True)
class Found:
    """An installed pack, before it is loaded: its name and the entry point that names it."""

    name: str
    entry_point: EntryPoint | None  # None: the built-in sheet, when its entry point is missing

    @property
    def source(self) -> str:
        if self.entry_point is None:
            return "built-in"
        dist = getattr(self.entry_point, "dist", None)
        owner = f"{dist.name} {dist.version}" if dist is not None else "an installed package"
        return f"entry point of {owner}"


def installed() -> dict[str, Found]:
    """Every installed pack by name; the sheet is always there (it is the default)."""
    return dict(_installed())


@cache  # scanning the installed distributions costs ~10 ms; watch re-checks many times
def _installed() -> dict[str, Found]:
    found: dict[str, Found] = {}
    for point in entry_points(group=GROUP):
        found.setdefault(point.name, Found(point.name, point))
    # A stale editable install may lack the entry point: the default pack must still work.
    found.setdefault(SHEET, Found(SHEET, None))
    return dict(sorted(found.items(), key=lambda item: (item[0] != SHEET, item[0])))


def looks_like_path(spec: str) -> bool:
    """Written as a path (`./pack`, `packs/mine`, `mine.py`), never mistaken for a name."""
    return os.sep in spec or spec.endswith(".py") or spec.startswith((".", "~"))


def load(spec: str | None = None) -> Catalogue:
    """The pack named `spec` (an installed pack's name, or a path); the sheet when None."""
    if spec is None or spec == SHEET:
        return sheet()
    packs = installed()
    if looks_like_path(spec):
        return load_path(Path(spec))
    if spec in packs:
        return _load_installed(packs[spec])
    if Path(spec).exists():  # a folder here named like no installed pack
        return load_path(Path(spec))
    known = ", ".join(packs)
    raise PackError(
        f"there is no pack {spec!r}. Installed packs: {known}. Give one of these names, or the "
        "path of a pack file or folder (`tensorlings packs` lists them)."
    )


def load_installed(name: str) -> Catalogue:
    """An installed pack by name (the sheet included); never a path, whatever the name."""
    if name == SHEET:
        return sheet()
    found = installed().get(name)
    if found is None:
        raise PackError(
            f"there is no installed pack {name!r}. Installed packs: {', '.join(installed())}."
        )
    return _load_installed(found)


@cache
def _load_installed(found: Found) -> Catalogue:
    if found.entry_point is None:
        return sheet()
    try:
        target = found.entry_point.load()
    except Exception as error:
        raise PackError(
            f"pack {found.name!r} ({found.source}) could not be imported: "
            f"{type(error).__name__}: {error}. Reinstall the package that provides it."
        ) from None
    if found.name == SHEET and target is sys.modules.get("tensorlings.exercises"):
        return sheet()
    return _catalogue(target, found.name, found.source, path=None)


def load_path(path: Path) -> Catalogue:
    """A pack from a `.py` file or a package folder (one holding `__init__.py`)."""
    path = path.expanduser().resolve()
    if path.is_dir():
        init = path / "__init__.py"
        if not init.is_file():
            raise PackError(
                f"{path} is a folder without __init__.py, so it is not a pack. A pack folder is "
                "a Python package: `tensorlings pack new NAME` writes a starting one."
            )
        return _load_local(str(init), str(path), package=True)
    if path.is_file() and path.suffix == ".py":
        return _load_local(str(path), str(path.parent), package=False)
    if not path.exists():
        raise PackError(f"{path} does not exist. Give the path of a pack file or folder.")
    raise PackError(f"{path} is neither a .py file nor a package folder, so it is not a pack.")


@cache
def _load_local(file: str, root: str, package: bool) -> Catalogue:
    where = root if package else file
    digest = hashlib.sha256(where.encode()).hexdigest()[:12]
    module_name = f"{LOCAL_PREFIX}{digest}"
    spec = importlib.util.spec_from_file_location(
        module_name, file, submodule_search_locations=[root] if package else None
    )
    if spec is None or spec.loader is None:
        raise PackError(f"{where} cannot be imported as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(module_name, None)
        raise PackError(
            f"the pack at {where} could not be imported: {type(error).__name__}: {error}. "
            "Fix the error, then run `tensorlings pack check` on it."
        ) from None
    default = Path(root).name if package else Path(file).stem
    name = str(getattr(module, "NAME", default))
    # A single file's folder may hold anything (a virtual environment even): only the file and
    # its compiled bytecode, which holds the same solutions, are its code.
    roots = (where,) if package else (where, *_bytecode_of(file))
    return _catalogue(module, name, f"path {where}", path=where, roots=roots)


def _bytecode_of(file: str) -> list[str]:
    cache = Path(file).parent / "__pycache__"
    return sorted(str(p) for p in cache.glob(f"{Path(file).stem}.*.pyc"))


def _catalogue(
    target: ModuleType | Any,
    name: str,
    source: str,
    path: str | None,
    roots: tuple[str, ...] | None = None,
) -> Catalogue:
    missing = [attr for attr in ("TITLE", "VERSION") if not hasattr(target, attr)]
    if not hasattr(target, "EXERCISES") and not hasattr(target, "SECTIONS"):
        missing.append("EXERCISES (or SECTIONS)")
    if missing:
        raise PackError(
            f"pack {name!r} ({source}) does not define {', '.join(missing)}. A pack module "
            "sets TITLE, VERSION and EXERCISES (or SECTIONS, the names of its submodules)."
        )
    if not NAME.match(name):
        raise PackError(
            f"pack name {name!r} ({source}) is not usable: use letters, digits, _ and -, "
            "starting with a letter (set NAME in the pack)."
        )
    if roots is None:
        folder = getattr(target, "__path__", None)
        file = getattr(target, "__file__", None)
        roots = (str(next(iter(folder))),) if folder else ((str(file),) if file else ())
    return Catalogue(
        name, str(target.TITLE), str(target.VERSION), source, exercises_of(target),
        roots=tuple(roots), modules=(target.__name__,), path=path,
    )  # fmt: skip


@cache
def every_root() -> tuple[str, ...]:
    """The code folders (or files) of every installed pack: the worker hides them all. Found
    without importing the packs, so that one which fails to import is hidden all the same."""
    roots: list[str] = list(sheet().roots)
    for found in installed().values():
        if found.entry_point is None:
            continue
        try:
            spec = importlib.util.find_spec(found.entry_point.module)
        except (ImportError, ValueError):
            continue  # not importable: nothing of it can be imported by learner code either
        if spec is None:
            continue
        if spec.submodule_search_locations:
            roots += [str(p) for p in spec.submodule_search_locations]
        elif spec.origin and os.path.isfile(spec.origin):
            roots.append(spec.origin)
    return tuple(dict.fromkeys(roots))


@cache
def every_module() -> tuple[str, ...]:
    """The module names of every installed pack: the worker refuses to import them."""
    names = [SHEET_MODULE]
    for found in installed().values():
        if found.entry_point is not None:
            names.append(found.entry_point.module)
    return tuple(dict.fromkeys(names))


SHEET_MODULE = "tensorlings.exercises"
