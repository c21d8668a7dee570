"""Write the Gradescope autograder zip for the installed tensorlings.

The zip holds, at its root as Gradescope requires: `setup.sh` (run once when Gradescope builds
the image: a Python of the version used here, through uv, and the pinned requirements),
`run_autograder` (run per submission), `requirements.txt` (every runtime package at the
version installed here, torch from its CPU index), `tensorlings/` (this package's source, so
the autograder runs exactly the checker that built it), `settings.json` and the grading config.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import tensorlings
from tensorlings.grading.config import load_config

RUNTIME = ("torch", "einops", "numpy", "rich", "nbformat")
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

SETUP_SH = """\
#!/usr/bin/env bash
# Run once by Gradescope, as root, when it builds the autograder image (written by
# `tensorlings gradescope build`). Installs Python {python} and the pinned requirements.
set -euo pipefail
cd /autograder/source
if ! command -v curl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl ca-certificates
fi
curl -LsSf https://astral.sh/uv/install.sh | env UV_INSTALL_DIR=/usr/local/bin sh
uv venv --python {python} /autograder/venv
uv pip install --python /autograder/venv/bin/python -r requirements.txt
# The checker's worker runs `python -I`, which ignores PYTHONPATH: a .pth file puts this
# package on the venv's path instead.
site=$(/autograder/venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo /autograder/source > "$site/tensorlings-autograder.pth"
/autograder/venv/bin/python -c 'import tensorlings.checker.check'  # fail the build, not a student
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Run by Gradescope for each submission (written by `tensorlings gradescope build`).
# AUTOGRADER_ROOT and TENSORLINGS_PYTHON exist for testing the zip outside Gradescope.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${TENSORLINGS_PYTHON:-/autograder/venv/bin/python}"
export PYTHONPATH="$root/source${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$root/results"
exec "$python" -m tensorlings.gradescope.autograder --root "$root"
"""


def pinned_requirements() -> list[str]:
    """Every runtime package and what it needs, at the version installed here."""
    pins: dict[str, str] = {}
    queue = list(RUNTIME)
    while queue:
        name = queue.pop()
        key = name.lower().replace("_", "-")
        if key in pins:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # needed only elsewhere (another platform or Python): not installed here
        pins[key] = distribution.version
        for requirement in distribution.requires or []:
            match = _NAME.match(requirement)
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            if match and "extra" not in marker:  # an optional extra: not a runtime need
                queue.append(match.group(1))
    lines = [f"--extra-index-url {TORCH_INDEX}"]
    lines += [f"{name}=={version}" for name, version in sorted(pins.items())]
    lines.append('tomli>=1.1; python_version < "3.11"')
    return lines


def _package_files() -> list[tuple[Path, str]]:
    root = Path(tensorlings.__file__).parent
    return [
        (path, str(Path("tensorlings") / path.relative_to(root)))
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


def build_autograder(
    out: Path,
    *,
    config: Path | None = None,
    allow_weak_isolation: bool = False,
    timeout: float = 5.0,
    memory_mb: float = 2048,
) -> Path:
    """Write the zip to `out`; the config is validated first (GradingError if it is wrong)."""
    load_config(config)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    settings = {
        "allow_weak_isolation": allow_weak_isolation,
        "timeout": timeout,
        "memory_mb": memory_mb,
        "tensorlings": tensorlings.__version__,
        "python": python,
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP_SH.format(python=python), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(archive, "requirements.txt", "\n".join(pinned_requirements()) + "\n")
        _add(archive, "settings.json", json.dumps(settings, indent=1) + "\n")
        if config is not None:
            _add(archive, "grading.toml", Path(config).read_text(encoding="utf-8"))
        for path, name in _package_files():
            archive.write(path, name)
    return out


def _add(archive: zipfile.ZipFile, name: str, text: str, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)
