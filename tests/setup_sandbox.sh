#!/usr/bin/env bash
# Report which layers of the checker's sandbox this machine allows (run by `make run` and
# `make test`). The sandbox is built on the kernel's own interfaces (namespaces, mounts, cgroups,
# seccomp), so there is nothing to install; a missing layer is reported here, in every
# `tensorlings check --json` (`isolation.missing`), and the sandbox tests skip with that reason.
# Never fails the set-up.
set -u
python="${1:-.venv/bin/python}"
"$python" - <<'PY' || echo "setup_sandbox: could not start the worker to probe the sandbox" >&2
from tensorlings.checker.sandbox import ZygoteHandle

with ZygoteHandle() as zygote:
    sandbox = zygote.ready().get("sandbox", {})
if sandbox.get("full"):
    print("setup_sandbox: full sandbox available (every layer)")
else:
    print("setup_sandbox: weak isolation on this machine; missing layers:")
    for reason in sandbox.get("missing", []):
        print("  -", reason)
PY
exit 0
