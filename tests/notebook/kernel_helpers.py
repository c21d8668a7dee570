"""Run a notebook in a real IPython kernel (nbclient + ipykernel) and read what the checks said.

The kernel is this test run's own Python (a kernel spec written for the test), so it imports
the tensorlings under test. Each check's result carries its JSON in its own MIME type; the CLI
is run on the same notebook file for the verdicts to compare with.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from command_runs import RunCommand
from tensorlings import workbook
from tensorlings.notebook.result import MIME

KERNEL = "tensorlings-test"


def kernel_spec(folder: Path) -> Path:
    """A kernel spec for this interpreter under `folder`; point JUPYTER_PATH at the result."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    return folder


def notebook(cells: list[workbook.WorkbookCell], path: Path) -> Path:
    path.write_text(workbook.to_ipynb(cells), encoding="utf-8")
    return path


def execute(path: Path, timeout: int = 240) -> Any:
    """Run every cell in order (errors shown, not raised); the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL, allow_errors=True, resources={"metadata": {}}
    )
    client.execute()
    return nb


def checked(nb: Any) -> dict[str, list[dict[str, Any]]]:
    """Every exercise entry the checks in the notebook returned, by id, in order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(MIME)
            for entry in (data or {}).get("exercises", []):
                found.setdefault(entry["id"], []).append(entry)
    return found


def printed(nb: Any) -> str:
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def errors(nb: Any) -> list[str]:
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def cli_entries(path: Path, run: RunCommand) -> dict[str, dict[str, Any]]:
    """`tensorlings check --json` on the same notebook (run in place, with the session's
    worker): the exercise entries it judged."""
    done = run("check", str(path), "--json", cwd=path.parent)
    report = json.loads(done.stdout)
    return {e["id"]: e for e in report["exercises"] if e["status"] != "not_started"}


def timeless(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry without its duration: the one field that differs from run to run."""
    return {key: value for key, value in entry.items() if key != "duration_s"}
