"""The results folder: one JSON file per submission, written atomically, keyed by content hash.

`DIR/results/<submission>.json` holds the check report (schema "tensorlings.check/1") plus a
"grading" object: the submission's name, where it came from, and the sha256 of what was
checked. A run that is killed leaves every finished result whole (a temporary file is renamed
over the old one) and at most a stray temporary file, removed by the next run. Running the same
command again checks only the submissions whose hash has no matching result.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tensorlings import __version__
from tensorlings.checker.results import CheckReport
from tensorlings.grading.errors import GradingError
from tensorlings.grading.model import Graded

RESULTS_FOLDER = "results"
_LOCK_FILE = ".grading.lock"
_TEMP_SUFFIX = ".tmp"


def tensorlings_version() -> str:
    return __version__


def fingerprint(content: bytes, *, settings: str) -> str:
    """sha256 of what decides a result: the workbook's bytes, the checker's version, and the
    check's settings (seed, device, limits)."""
    digest = hashlib.sha256()
    digest.update(f"tensorlings {tensorlings_version()}; {settings}\0".encode())
    digest.update(content)
    return digest.hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write the whole text or nothing: a temporary file in the same folder, then a rename."""
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), 0o666 & ~_umask())  # mkstemp's 0600 is for the temp only
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass(frozen=True)
class StoredResult:
    graded: Graded
    sha256: str | None


class ResultStore:
    """The results of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.folder = self.out_dir / RESULTS_FOLDER

    def path(self, submission: str) -> Path:
        return self.folder / f"{submission}.json"

    def prepare(self) -> None:
        """Create the folders, or say why they cannot be used."""
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise GradingError(
                f"--out {str(self.out_dir)!r} is a file, not a folder; "
                "give a new or existing folder for the results"
            )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GradingError(
                f"cannot create the results folder {str(self.folder)!r}: "
                f"{error.strerror or error}; give an --out folder you can write to"
            ) from None
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise GradingError(
                f"cannot write to {str(self.folder)!r}; give an --out folder you can write to"
            )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder for this run, so that two runs never grade into it at once."""
        with open(self.out_dir / _LOCK_FILE, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise GradingError(
                    f"another `tensorlings grade` is writing to {str(self.out_dir)!r}; "
                    "wait for it to finish or give a different --out"
                ) from None
            self._remove_stray_temporaries()
            yield

    def _remove_stray_temporaries(self) -> None:
        for stray in self.folder.glob(f".*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stray.unlink()

    def save(self, submission: str, report: Mapping[str, Any], grading: Mapping[str, Any]) -> Path:
        """Write one result; the report's own fields stay exactly as the check schema has them."""
        data = {**report, "grading": {"submission": submission, **grading}}
        path = self.path(submission)
        write_atomic(path, json.dumps(data, indent=1) + "\n")
        return path

    def load(self, submission: str) -> StoredResult | None:
        """The stored result, or None when there is none or it cannot be read."""
        try:
            data = json.loads(self.path(submission).read_text(encoding="utf-8"))
            report = CheckReport.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        grading = data.get("grading")
        sha256 = grading.get("sha256") if isinstance(grading, dict) else None
        return StoredResult(Graded(submission, report), sha256 if isinstance(sha256, str) else None)
