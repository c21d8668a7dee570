"""Learner code that hangs, eats memory, kills its process, floods output, patches torch, reads
the reference, forks, or returns poison: each hazard fails only its own exercise, and the healthy
reference exercises written next to it still pass.

Every workbook is the sheet's imports, the hazard cell, then three reference solutions; the
hazard's exercise is judged first, so the healthy ones run after whatever it broke.
"""

from __future__ import annotations

import glob
import os
import subprocess
import time
from pathlib import Path

import pytest

from tensorlings.checker.check import check_path
from tensorlings.checker.results import CheckReport, ExerciseResult
from tensorlings.checker.sandbox import Limits

pytestmark = pytest.mark.slow

HEALTHY_COUNT = 3  # the reference exercises conftest writes after every hazard
# For hazards whose first call does a lot of finite work (fill memory, print, fork): room
# enough that a busy machine does not turn them into timeouts.
ROOMY = Limits(exercise_seconds=5.0, statement_seconds=2.0)


def results(report: CheckReport) -> dict[str, ExerciseResult]:
    assert report.error is None, f"the file could not be checked: {report.error}"
    return {r.id: r for r in report.exercises}


def failing_kinds(result: ExerciseResult) -> list[str]:
    return [p.kind for p in result.problems if p.fails]


def assert_healthy_passed(report: CheckReport, *hazard_ids: str) -> None:
    healthy = [r for r in report.exercises if r.id not in hazard_ids]
    assert len(healthy) == HEALTHY_COUNT
    for result in healthy:
        failing = [(p.kind, p.message) for p in result.problems if p.fails]
        assert result.status == "passed", f"{result.id} is {result.status}: {failing}"


def assert_failed_with(report: CheckReport, exercise_id: str, kind: str) -> ExerciseResult:
    result = results(report)[exercise_id]
    assert result.status == "failed", f"{exercise_id} is {result.status}"
    assert kind in failing_kinds(result), f"{exercise_id}: {failing_kinds(result)}"
    return result


def line_of(report: CheckReport, needle: str) -> int:
    """The line of the learner's file that holds `needle` (1-based)."""
    lines = Path(report.file).read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if needle in text)


def notes_at(report: CheckReport, needle: str) -> list[tuple[str, str]]:
    line = line_of(report, needle)
    return [(note.kind, note.message) for note in report.load_notes if note.line == line]


# --- Time -------------------------------------------------------------------------------------


def test_endless_loop_is_reported_as_a_timeout(check_hazard):
    report = check_hazard(
        """
        def relu_abs(x):
            while True:
                pass
        """
    )
    problem = assert_failed_with(report, "relu_abs", "timeout").problems[0]
    assert problem.line == line_of(report, "while True:")
    assert_healthy_passed(report, "relu_abs")


def test_long_operation_inside_torch_is_a_timeout(check_hazard):
    # About 10**12 flops in one C++ call: Python's alarm handler cannot run until it returns,
    # so the checker has to kill the worker at its own deadline.
    started = time.perf_counter()
    report = check_hazard(
        """
        def relu_abs(x):
            return torch.rand(2000, 2000).matrix_power(2**60)
        """
    )
    assert_failed_with(report, "relu_abs", "timeout")
    assert_healthy_passed(report, "relu_abs")
    assert time.perf_counter() - started < 20


# --- Memory -----------------------------------------------------------------------------------


@pytest.mark.parametrize("elements", [10**9, 10**11], ids=["4GB", "400GB"])
def test_huge_tensor_is_reported_as_memory_limit(check_hazard, elements):
    report = check_hazard(
        f"""
        def relu_abs(x):
            return torch.zeros({elements}) + x.abs().sum()
        """
    )
    problem = assert_failed_with(report, "relu_abs", "memory_limit").problems[0]
    assert "memory" in problem.message
    assert_healthy_passed(report, "relu_abs")


def test_python_list_growing_until_memory_error_is_reported_as_memory_limit(check_hazard):
    # A lower memory limit keeps it quick (80 MB a chunk, stopped after three), and only the
    # first call grows the list: filling memory is what takes the time.
    limits = Limits(exercise_seconds=5.0, statement_seconds=2.0, memory_bytes=256 * 1024**2)
    report = check_hazard(
        """
        STATE = {"called": False}

        def relu_abs(x):
            if not STATE["called"]:
                STATE["called"] = True
                chunks = []
                while True:
                    chunks.append([0] * 10**7)
            return (x + x.abs()) / 2
        """,
        limits=limits,
    )
    assert_failed_with(report, "relu_abs", "memory_limit")
    assert_healthy_passed(report, "relu_abs")


# --- Ending the process -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["os._exit(3)", "os.kill(os.getpid(), 9)"],
    ids=["os_exit", "sigkill"],
)
def test_function_that_ends_its_process_is_reported_crashed(check_hazard, statement):
    report = check_hazard(
        f"""
        import os

        def relu_abs(x):
            {statement}
            return (x + x.abs()) / 2
        """
    )
    assert_failed_with(report, "relu_abs", "crashed")
    assert_healthy_passed(report, "relu_abs")


@pytest.mark.parametrize(
    "statement", ["sys.exit()", "raise KeyboardInterrupt", "raise SystemExit(2)"]
)
def test_function_raising_a_base_exception_is_reported_as_an_exception(check_hazard, statement):
    report = check_hazard(
        f"""
        import sys

        def relu_abs(x):
            {statement}
        """
    )
    assert_failed_with(report, "relu_abs", "exception")
    assert_healthy_passed(report, "relu_abs")


def test_sys_exit_at_module_level_is_a_load_note_and_the_rest_is_judged(check_hazard):
    report = check_hazard(
        """
        import sys

        sys.exit()

        def relu_abs(x):
            return (x + x.abs()) / 2
        """
    )
    assert [kind for kind, _ in notes_at(report, "sys.exit()")] == ["exited"]
    assert results(report)["relu_abs"].status == "passed"
    assert_healthy_passed(report, "relu_abs")


@pytest.mark.parametrize(
    ("statement", "kind"),
    [("os._exit(0)", "exited"), ("os.kill(os.getpid(), 9)", "crashed")],
    ids=["os_exit", "sigkill"],
)
@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses os.kill alone
def test_module_level_statement_that_ends_the_process_is_skipped(check_hazard, statement, kind):
    report = check_hazard(
        f"""
        import os

        {statement}

        def relu_abs(x):
            return (x + x.abs()) / 2
        """
    )
    notes = notes_at(report, statement)
    assert [k for k, _ in notes] == [kind]
    assert "skipped" in notes[0][1]
    assert results(report)["relu_abs"].status == "passed"
    assert_healthy_passed(report, "relu_abs")


def test_endless_loop_at_module_level_is_a_timeout_note(check_hazard):
    report = check_hazard(
        """
        while True:
            pass

        def relu_abs(x):
            return (x + x.abs()) / 2
        """,
        limits=Limits(exercise_seconds=1.0, statement_seconds=0.5),
    )
    assert [kind for kind, _ in notes_at(report, "while True:")] == ["timeout"]
    assert results(report)["relu_abs"].status == "passed"
    assert_healthy_passed(report, "relu_abs")


# --- Syntax errors ----------------------------------------------------------------------------


def test_syntax_error_in_a_single_cell_file_loses_only_its_statement(worker, tmp_path):
    path = tmp_path / "one_cell.py"
    path.write_text(
        "import torch\n\n"
        "def relu_abs(x):\n    return (x + x.abs()) / 2\n\n"
        "def batched_softmax(matrix)\n    return matrix\n",
        encoding="utf-8",
    )
    report = check_path(path, zygote=worker, exercise_ids=["relu_abs", "batched_softmax"])
    assert report.error is None
    assert [(n.line, n.kind) for n in report.load_notes] == [(6, "syntax_error")]
    assert results(report)["relu_abs"].status == "passed"
    problem = assert_failed_with(report, "batched_softmax", "exception").problems[0]
    assert "syntax error at line 6" in problem.message


def test_a_file_that_is_one_syntax_error_is_a_file_error_with_its_line(worker, tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("\ndef relu_abs(x)\n    return x\n", encoding="utf-8")
    report = check_path(path, zygote=worker, exercise_ids=["relu_abs"])
    assert report.error is not None and report.error.kind == "syntax_error"
    assert report.error.line == 2 and "line 2" in report.error.message
    assert report.exit_code == 2


def test_syntax_error_in_one_cell_keeps_the_other_cells(check_hazard):
    report = check_hazard(
        """
        def relu_abs(x):
            return (x + x.abs() / 2

        # %%
        def relu_maximum(x):
            return torch.maximum(x, torch.zeros_like(x))
        """,
        ids=("relu_abs", "relu_maximum"),
    )
    line = line_of(report, "return (x + x.abs() / 2")
    assert [(n.line, n.kind) for n in report.load_notes] == [(line, "syntax_error")]
    problem = assert_failed_with(report, "relu_abs", "exception").problems[0]
    assert "syntax error" in problem.message
    assert results(report)["relu_maximum"].status == "passed"
    assert_healthy_passed(report, "relu_abs", "relu_maximum")


# --- Output -----------------------------------------------------------------------------------

# Printed on the first call only: the checker calls each function a few dozen times.
FLOODS = {
    "one_huge_line": "print('x' * 10_000_000)",
    "many_lines": "for i in range(100_000):\n                    print('line', i)",
}
OUTPUT_LIMIT = 8_000  # "a few KB"


@pytest.mark.parametrize("flood", FLOODS.values(), ids=FLOODS.keys())
def test_output_flood_is_captured_and_capped(check_hazard, flood):
    started = time.perf_counter()
    report = check_hazard(
        f"""
        STATE = {{"called": False}}

        def relu_abs(x):
            if not STATE["called"]:
                STATE["called"] = True
                {flood}
            return (x + x.abs()) / 2
        """,
        limits=ROOMY,
    )
    result = results(report)["relu_abs"]
    assert result.status == "passed"
    assert 0 < len(result.output) <= OUTPUT_LIMIT
    assert len(str(report.to_json())) < 50_000
    assert_healthy_passed(report, "relu_abs")
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize("flood", FLOODS.values(), ids=FLOODS.keys())
def test_output_flood_says_that_output_was_dropped(check_hazard, flood):
    report = check_hazard(
        f"""
        STATE = {{"called": False}}

        def relu_abs(x):
            if not STATE["called"]:
                STATE["called"] = True
                {flood}
            return (x + x.abs()) / 2
        """,
        limits=ROOMY,
    )
    output = results(report)["relu_abs"].output
    assert len(output) <= OUTPUT_LIMIT
    assert "dropped" in output


# --- Patching torch and builtins --------------------------------------------------------------

PATCHES = {
    "comparisons": """
        torch.allclose = lambda *a, **k: True
        torch.equal = lambda *a, **k: True
        torch.Tensor.__eq__ = lambda s, o: torch.tensor(True)
        torch.Tensor.__ne__ = lambda s, o: torch.tensor(False)
        torch.testing.assert_close = lambda *a, **k: None
        """,
    "isinstance": """
        import builtins

        builtins.isinstance = lambda obj, cls: True
        """,
    "tensor_methods": """
        torch.Tensor.abs = lambda self: self
        torch.abs = lambda x: x
        torch.Tensor.numpy = lambda self: None
        torch.Tensor.tolist = lambda self: [0.0, 0.0, 1.0, 2.0]
        """,
}


@pytest.mark.parametrize("patch", PATCHES.values(), ids=PATCHES.keys())
@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses each patch alone
def test_patching_torch_at_module_level_cannot_pass_a_wrong_solution(check_hazard, patch):
    report = check_hazard(
        f"""
        {patch}

        def relu_abs(x):
            return x * 2 + 1
        """
    )
    result = results(report)["relu_abs"]
    assert result.status == "failed", result.problems
    assert set(failing_kinds(result)) & {"wrong_values", "wrong_type", "exception"}
    assert_healthy_passed(report, "relu_abs")


def test_patching_tensor_methods_cannot_hide_an_input_mutation(check_hazard):
    report = check_hazard(
        """
        torch.Tensor.cpu = lambda self: torch.zeros(1)

        def collect_columns(matrix, column_indexes):
            out = matrix[:, column_indexes]
            matrix.zero_()
            return out
        """,
        ids=("collect_columns",),
    )
    assert_failed_with(report, "collect_columns", "mutates_input")


# --- Reading the reference --------------------------------------------------------------------


def test_reference_imported_at_module_level_is_never_passed(check_hazard):
    report = check_hazard(
        """
        from tensorlings.solutions import relu_abs as reference_relu_abs

        def relu_abs(x):
            return reference_relu_abs(x)
        """
    )
    result = results(report)["relu_abs"]
    assert result.status == "failed"
    assert set(failing_kinds(result)) & {"forbidden_import", "exception"}
    kinds = [kind for kind, _ in notes_at(report, "from tensorlings.solutions")]
    assert kinds == ["import_error"]
    assert_healthy_passed(report, "relu_abs")


def test_reference_imported_under_its_own_name_is_not_passed(check_hazard):
    report = check_hazard("from tensorlings.solutions import relu_abs\n")
    assert results(report)["relu_abs"].status != "passed"
    assert_healthy_passed(report, "relu_abs")


@pytest.mark.parametrize(
    "body",
    [
        "from tensorlings.solutions import relu_abs as reference\n            return reference(x)",
        "import importlib\n            "
        "return importlib.import_module('tensorlings.' + 'solutions').relu_abs(x)",
        "from tensorlings.exercises import s09_relu\n            return s09_relu.relu_abs(x)",
    ],
    ids=["from_import", "import_module", "exercise_module"],
)
def test_reference_imported_inside_the_function_is_refused(check_hazard, body):
    report = check_hazard(
        f"""
        def relu_abs(x):
            {body}
        """
    )
    result = results(report)["relu_abs"]
    assert result.status == "failed"
    assert set(failing_kinds(result)) & {"forbidden_import", "exception"}
    assert "not allowed" in " ".join(p.message for p in result.problems)
    assert_healthy_passed(report, "relu_abs")


def test_importing_an_exercise_module_is_blocked(check_hazard):
    report = check_hazard(
        """
        import tensorlings.exercises.s06_numerics

        def relu_abs(x):
            return tensorlings.exercises.s06_numerics.batched_softmax(x)
        """
    )
    notes = notes_at(report, "import tensorlings.exercises.s06_numerics")
    assert [kind for kind, _ in notes] == ["import_error"]
    assert "not allowed" in notes[0][1]
    assert results(report)["relu_abs"].status == "failed"
    assert_healthy_passed(report, "relu_abs")


def test_reference_loaded_from_its_file_path_is_never_passed(worker, tmp_path):
    path = tmp_path / "from_disk.py"
    path.write_text(
        """import importlib.util
import os

import tensorlings


def batched_softmax(matrix):
    folder = os.path.dirname(tensorlings.__file__)
    path = os.path.join(folder, "exercises", "s06_numerics.py")
    spec = importlib.util.spec_from_file_location("my_numerics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.batched_softmax(matrix)
""",
        encoding="utf-8",
    )
    report = check_path(path, zygote=worker, limits=Limits(), exercise_ids=["batched_softmax"])
    assert results(report)["batched_softmax"].status != "passed"


# --- Processes --------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    """Running, and not merely a zombie or a process already killed and tearing down."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return False
    if fields.get("State", "").strip().startswith(("Z", "X")):
        return False
    pending = int(fields.get("ShdPnd", "0"), 16) | int(fields.get("SigPnd", "0"), 16)
    return not pending & (1 << 8)  # SIGKILL (9) already delivered: it is on its way out


def _left_behind(pid_dir: Path, seconds: float = 10.0) -> list[int]:
    pids = [int(name) for name in os.listdir(pid_dir)]
    deadline = time.monotonic() + seconds
    while True:
        alive = [pid for pid in pids if _alive(pid)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


FORKS = {
    "twenty_sleepers": """
        def _spawn(pid_dir):
            for _ in range(20):
                if os.fork() == 0:
                    open(os.path.join(pid_dir, str(os.getpid())), "w").close()
                    time.sleep(30)
                    os._exit(0)
        """,
    "escaping_session": """
        def _spawn(pid_dir):
            for _ in range(5):
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        open(os.path.join(pid_dir, str(os.getpid())), "w").close()
                        time.sleep(30)
                    os._exit(0)
        """,
}


# The learner's code below writes on the host, which only the weak mode allows: the full
# sandbox's version of these hazards is in test_sandbox_processes.py and test_sandbox_files.py.
@pytest.mark.parametrize("spawn", FORKS.values(), ids=FORKS.keys())
def test_forked_processes_are_all_gone_after_the_check(check_hazard, tmp_path, spawn, weak_worker):
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    started = time.perf_counter()
    report = check_hazard(
        f"""
        import os
        import time

        STATE = {{"forked": False}}
        {spawn}

        def relu_abs(x):
            if not STATE["forked"]:
                STATE["forked"] = True
                _spawn({str(pid_dir)!r})
            return (x + x.abs()) / 2
        """,
        limits=ROOMY,
        zygote=weak_worker,
    )
    assert time.perf_counter() - started < 20
    assert os.listdir(pid_dir), "the learner's code never forked"
    assert results(report)["relu_abs"].status in ("passed", "failed")
    assert_healthy_passed(report, "relu_abs")
    assert _left_behind(pid_dir) == []


def test_function_that_kills_the_worker_fails_only_its_exercise(check_hazard, own_worker):
    report = check_hazard(
        """
        import os
        import signal

        def relu_abs(x):
            os.kill(os.getppid(), signal.SIGKILL)
            return (x + x.abs()) / 2
        """,
        zygote=own_worker,
    )
    killer = results(report)["relu_abs"]
    assert killer.status == "failed", (killer.problems, killer.notes, report.load_notes)
    assert_healthy_passed(report, "relu_abs")


# --- Poisoned return values -------------------------------------------------------------------


def test_huge_return_value_fails_quickly(check_hazard):
    started = time.perf_counter()
    report = check_hazard(
        """
        STATE = {"called": False}

        def relu_abs(x):
            if not STATE["called"]:
                STATE["called"] = True
                return torch.ones(30_000_000) * x.abs().sum()
            return (x + x.abs()) / 2
        """,
        limits=ROOMY,
    )
    result = results(report)["relu_abs"]
    assert result.status == "failed"
    assert "30000000" in " ".join(p.message for p in result.problems)
    assert_healthy_passed(report, "relu_abs")
    assert time.perf_counter() - started < 20


def test_huge_return_value_is_reported_as_wrong_shape(check_hazard):
    report = check_hazard(
        """
        STATE = {"called": False}

        def relu_abs(x):
            if not STATE["called"]:
                STATE["called"] = True
                return torch.ones(30_000_000) * x.abs().sum()
            return (x + x.abs()) / 2
        """,
        limits=ROOMY,
    )
    assert failing_kinds(results(report)["relu_abs"])[0] == "wrong_shape"


def test_object_with_hostile_methods_is_reported_as_wrong_type(check_hazard):
    report = check_hazard(
        """
        class Hostile:
            def __repr__(self):
                raise RuntimeError("no repr for you")

            def __str__(self):
                raise RuntimeError("no str either")

            def __eq__(self, other):
                return True

            def __len__(self):
                raise RuntimeError("no len")

            def __getattr__(self, name):
                raise RuntimeError(name)

        def relu_abs(x):
            return Hostile()
        """
    )
    assert_failed_with(report, "relu_abs", "wrong_type")
    assert_healthy_passed(report, "relu_abs")


def test_tensor_subclass_that_lies_about_its_shape_is_judged_on_its_real_shape(check_hazard):
    report = check_hazard(
        """
        class Liar(torch.Tensor):
            @property
            def shape(self):
                return torch.Size([4])

            @property
            def dtype(self):
                return torch.float32

            def __eq__(self, other):
                return torch.tensor(True)

            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):
                raise RuntimeError("nope")

        def relu_abs(x):
            x.abs()
            return torch.zeros(7, dtype=torch.int64).as_subclass(Liar)
        """
    )
    # The worker reads shape and dtype from torch's C base class, so the lie is not believed.
    assert_failed_with(report, "relu_abs", "wrong_shape")
    assert_healthy_passed(report, "relu_abs")


# --- Files and network ------------------------------------------------------------------------


def test_no_working_directory_is_left_behind(
    check_hazard, weak_worker, weak_spawned_workdirs, tmp_path
):
    spawned_workdirs = weak_spawned_workdirs
    record = tmp_path / "cwd.txt"
    before = set(glob.glob("/tmp/tensorlings-work-*"))
    report = check_hazard(
        f"""
        import os

        def relu_abs(x):
            with open({str(record)!r}, "w") as out:
                out.write(os.getcwd())
            with open("scratch.txt", "w") as scratch:
                scratch.write("left here on purpose")
            os.makedirs("nested/deeper", exist_ok=True)
            return (x + x.abs()) / 2
        """,
        zygote=weak_worker,
    )
    assert results(report)["relu_abs"].status == "passed"
    assert record.read_text() in spawned_workdirs

    def left() -> list[str]:
        new = set(glob.glob("/tmp/tensorlings-work-*")) - before
        return [d for d in spawned_workdirs if os.path.exists(d) or d in new]

    # The check ends its children without waiting for them to exit; the worker removes
    # their folders as it reaps them, within moments.
    deadline = time.monotonic() + 5
    while left() and time.monotonic() < deadline:
        weak_worker.responsive()
        time.sleep(0.05)
    assert left() == []


def _machine_allows_network_namespaces() -> bool:
    try:
        return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses `socket` alone
def test_network_is_isolated(check_hazard):
    report = check_hazard(
        """
        import socket

        def relu_abs(x):
            socket.create_connection(("127.0.0.1", 9), timeout=1)
            return (x + x.abs()) / 2
        """
    )
    problem = assert_failed_with(report, "relu_abs", "exception").problems[0]
    if _machine_allows_network_namespaces():
        assert report.isolation["network"] is True, report.isolation
        assert "unreachable" in problem.message  # not even the loopback interface is up
    assert_healthy_passed(report, "relu_abs")


def test_reference_files_cannot_be_read_from_disk(check_hazard):
    import tensorlings.exercises

    folder = Path(tensorlings.exercises.__file__).parent
    report = check_hazard(
        f"""
        def relu_abs(x):
            source = open({str(folder / "s09_relu.py")!r}).read()
            namespace = {{}}
            exec(source, namespace)
            return namespace["relu_abs"](x)
        """
    )
    if not report.isolation.get("reference_files_hidden"):
        pytest.skip(f"no mount namespace here: {report.isolation.get('reference_files_why')}")
    result = assert_failed_with(report, "relu_abs", "exception")
    assert any("FileNotFoundError" in p.message for p in result.problems)
    assert_healthy_passed(report, "relu_abs")
