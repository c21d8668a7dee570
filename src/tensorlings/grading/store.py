"""The results folder: one JSON file per submission, written atomically, keyed by content hash.

`DIR/results/<submission>.json` holds the check report (schema "tensorlings.check/1") plus a
"grading" object: the submission's name, where it came from, the sha256 of what was checked,
its flag and the seed, and a "signature": an HMAC-SHA256 of all the rest under the folder's
secret key. A run that is killed leaves every finished result whole (a temporary file is
renamed over the old one) and at most a stray temporary file, removed by the next run. Running
the same command again checks only the submissions whose hash has no matching result.

The secret (`DIR/.grading-secret`, readable by its owner only) holds the HMAC key and the
run's seed, drawn once per output folder. Learner code never sees it: the sandbox hides the
output folder, and results are only ever written by the grading process. A result whose
signature does not match (edited, forged, truncated, from another folder) is treated as
missing, so it is checked again; it never crashes a run.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tensorlings.checker.results import CheckReport
from tensorlings.grading.errors import GradingError
from tensorlings.grading.model import FLAGS, Graded
from tensorlings.grading.safe_text import escaped
from tensorlings.version import __version__
from tensorlings.workbook_choice import WorkbookChoice

RESULTS_FOLDER = "results"
SECRET_FILE = ".grading-secret"
_LOCK_FILE = ".grading.lock"
_TEMP_SUFFIX = ".tmp"
_SEED_RANGE = 2**31  # the seeds `tensorlings check --seed` accepts


def tensorlings_version() -> str:
    return __version__


def fingerprint(content: bytes, *, settings: str) -> str:
    """sha256 of what decides a result: the workbook's bytes, the checker's version, and the
    check's settings (seed, device, limits)."""
    digest = hashlib.sha256()
    digest.update(f"tensorlings {tensorlings_version()}; {settings}\0".encode())
    digest.update(content)
    return digest.hexdigest()


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write the whole text or nothing: a temporary file in the same folder, then a rename."""
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX
    )
    try:
        # The one place report text leaves the program: a code point UTF-8 cannot hold (a lone
        # surrogate from a notebook or a file name) is written as an escape, never lost.
        with os.fdopen(
            handle, "w", encoding="utf-8", errors="backslashreplace", newline=""
        ) as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
            # mkstemp's 0600 is for the temporary file only, unless the file is a secret.
            os.fchmod(stream.fileno(), mode if mode is not None else 0o666 & ~_umask())
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


@dataclass(frozen=True)
class Secret:
    """The output folder's HMAC key and seed."""

    key: bytes
    seed: int

    def sign(self, data: Mapping[str, Any]) -> str:
        body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def verify(self, data: Mapping[str, Any]) -> bool:
        signature = data.get("signature")
        unsigned = {k: v for k, v in data.items() if k != "signature"}
        return isinstance(signature, str) and hmac.compare_digest(signature, self.sign(unsigned))


def _read_secret(path: Path) -> Secret | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key, seed = bytes.fromhex(data["key"]), int(data["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Secret(key, seed) if len(key) >= 32 and 0 <= seed < _SEED_RANGE else None


class ResultStore:
    """The results of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.folder = self.out_dir / RESULTS_FOLDER
        self._secret: Secret | None = None

    @property
    def secret(self) -> Secret:
        """The folder's key and seed, made on first use (a damaged secret file is replaced:
        every result signed with it then fails its check and is checked again)."""
        if self._secret is None:
            path = self.out_dir / SECRET_FILE
            secret = _read_secret(path)
            if secret is None:
                secret = Secret(secrets.token_bytes(32), secrets.randbelow(_SEED_RANGE))
                text = json.dumps({"key": secret.key.hex(), "seed": secret.seed}) + "\n"
                write_atomic(path, text, mode=0o600)
            self._secret = secret
        return self._secret

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

    def save(
        self, submission: str, report: Mapping[str, Any], grading: Mapping[str, Any]
    ) -> Graded:
        """Write one signed result, its text with control characters escaped; the report's
        fields stay as the check schema has them. Returns what was written, as read back."""
        data: dict[str, Any] = escaped({**report, "grading": {"submission": submission, **grading}})
        data["signature"] = self.secret.sign(data)
        path = self.path(submission)
        if path.is_dir() and not path.is_symlink():  # put there by something else: not ours
            shutil.rmtree(path, ignore_errors=True)
        write_atomic(path, json.dumps(data, indent=1) + "\n")
        return _graded(submission, data)

    def load(self, submission: str) -> StoredResult | None:
        """The stored result, or None when there is none, it cannot be read, or its
        signature does not match (then it must be checked again)."""
        try:
            data = json.loads(self.path(submission).read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not self.secret.verify(data):
                return None
            graded = _graded(submission, data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        grading = data.get("grading")
        sha256 = grading.get("sha256") if isinstance(grading, dict) else None
        return StoredResult(graded, sha256 if isinstance(sha256, str) else None)


def _graded(submission: str, data: Mapping[str, Any]) -> Graded:
    report = CheckReport.from_json(data)
    grading = data.get("grading")
    flag = grading.get("flag") if isinstance(grading, dict) else None
    choice = (
        WorkbookChoice.from_json(grading.get("workbook_choice"))
        if isinstance(grading, dict)
        else None
    )
    hints = grading.get("hints") if isinstance(grading, dict) else None
    return Graded(submission, report, flag if flag in FLAGS else None, choice, hints=_hints(hints))


def _hints(data: Any) -> dict[str, tuple[str, ...]]:
    """The hints recorded with a result: exercise id -> hints, anything else left out."""
    if not isinstance(data, dict):
        return {}
    return {
        str(key): tuple(str(h) for h in value[:4])
        for key, value in data.items()
        if isinstance(value, list) and all(isinstance(h, str) for h in value)
    }
