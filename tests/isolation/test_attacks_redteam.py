"""Red-team attacks on the rule evidence that got past both the recorder and the source scan:
Tensor subclasses whose handlers torch runs with the recorder set aside, other threads and
processes, frames handed out by the standard library, learner code running between calls, and
attributes reached by names computed at run time. Each forbidden call is spelled so that the
source scan alone cannot see it (`getattr(t, "eye")`), unless the attack is the spelling."""

from __future__ import annotations

import pytest
from attack_helpers import assert_failed_with, assert_healthy_passed, results
from sandbox_helpers import require_layers

pytestmark = pytest.mark.slow

# Every attack returns the right identity matrix, made with the forbidden t.eye.
EYE = 'getattr(t, "eye")'

SUBCLASS_FUNCTION = f"""
class Sneaky(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return {EYE}(int(args[0].shape[0]))

def identity_matrix(n):
    return torch.Tensor.as_subclass(Sneaky(t.zeros(n, n)).exp(), torch.Tensor)
"""

SUBCLASS_DISPATCH = f"""
class Wrapped(torch.Tensor):
    @staticmethod
    def __new__(cls, n):
        made = torch.Tensor._make_wrapper_subclass(cls, (n, n), dtype=torch.float32)
        made.n = n
        return made

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        return {EYE}(args[0].n)

def identity_matrix(n):
    return torch.exp(Wrapped(n))
"""

# Nothing torch sees during the call: the handler runs while the result is sent back.
RETURNED_DISPATCH = f"""
class Wrapped(torch.Tensor):
    @staticmethod
    def __new__(cls, n):
        made = torch.Tensor._make_wrapper_subclass(cls, (n, n), dtype=torch.float32)
        made.n = n
        return made

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        plain = [{EYE}(a.n) if isinstance(a, Wrapped) else a for a in args]
        return func(*plain, **(kwargs or {{}}))

def identity_matrix(n):
    return Wrapped(n)
"""

THREAD_ALIAS = f"""
import importlib, time

def identity_matrix(n):
    threads = importlib.import_module("_thread")
    box = []
    threads.start_new(lambda: box.append({EYE}(n)), ())
    while not box:
        time.sleep(0.001)
    return box[0]
"""

FORK = f"""
import os, json

def identity_matrix(n):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, json.dumps({EYE}(n).tolist()).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.waitpid(pid, 0)
    return t.tensor(json.loads(data))
"""

WALK_STACK = f"""
import inspect, traceback

def identity_matrix(n):
    for frame, _ in traceback.walk_stack(None):
        found = inspect.getargvalues(frame).locals.get("self")
        if hasattr(found, "recorder"):
            found.recorder.learner_file = "elsewhere"
    return {EYE}(n)
"""

LOGGING_FRAME = f"""
import inspect, logging

def identity_matrix(n):
    for info in inspect.getouterframes(logging.currentframe()):
        found = inspect.getargvalues(info.frame).locals.get("self")
        if hasattr(found, "recorder"):
            found.recorder.learner_file = "elsewhere"
    return {EYE}(n)
"""

# The first call's answer is honest; dropping it starts a thread that makes the later ones.
FINALISER_THREAD = f"""
import queue, threading

JOBS, DONE = queue.Queue(), queue.Queue()

def serve():
    while True:
        DONE.put({EYE}(JOBS.get()))

class Starter:
    def __del__(self):
        threading.Thread(target=serve, daemon=True).start()

STATE = {{"started": False}}

def identity_matrix(n):
    if not STATE["started"]:
        STATE["started"] = True
        out = (t.arange(n)[:, None] == t.arange(n)).float()
        out.starter = Starter()
        return out
    JOBS.put(n)
    return DONE.get()
"""


@pytest.mark.parametrize(
    "attack",
    [
        SUBCLASS_FUNCTION,
        SUBCLASS_DISPATCH,
        RETURNED_DISPATCH,
        THREAD_ALIAS,
        FORK,
        WALK_STACK,
        LOGGING_FRAME,
    ],
    ids=[
        "subclass_torch_function",
        "subclass_torch_dispatch",
        "returned_dispatch_subclass",
        "thread_start_new_alias",
        "fork",
        "traceback_walk_stack",
        "logging_currentframe",
    ],
)
def test_hiding_a_call_from_the_recorder_is_tampering(check_hazard, attack, request):
    if attack == FINALISER_THREAD:  # its top-level queue is refused by the allowlist alone
        request.getfixturevalue("runtime_layer_only")
    report = check_hazard(attack, ids=["identity_matrix"])
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses queue and threads alone
def test_a_finaliser_planted_on_a_returned_value_never_runs(check_hazard):
    # What a call returns is kept alive until its process ends (with os._exit), so the
    # finaliser that would start the hidden thread never runs: the call that waits for the
    # thread runs out of time instead of passing (tampering, where the audit saw it start).
    report = check_hazard(FINALISER_THREAD, ids=["identity_matrix"])
    assert_failed_with(report, "identity_matrix", "timeout", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.parametrize(
    "body",
    [
        # The guard's closure holds torch's own DisableTorchFunction.
        "C = importlib.import_module('torch.' + '_C')\n"
        "    guard = getattr(C, 'Disable' + 'TorchFunction')\n"
        "    cells = getattr(guard, '__clo' + 'sure__')\n"
        "    found = [getattr(c, 'cell_' + 'contents') for c in cells]\n"
        "    with [v for v in found if isinstance(v, type)][0]():\n"
        f"        return {EYE}(n)",
        "return vars(t)['e' + 'ye'](n)",
        "return operator.attrgetter('e' + 'ye')(t)(n)",
        "cu = t.jit.CompilationUnit('def f(n: int):\\n    return torch.' + 'eye(n)\\n')\n"
        "    return cu.f(n)",
        "return t.__dict__['e' + 'ye'](n)",
    ],
    ids=["closure_by_computed_names", "vars", "attrgetter", "torchscript_string", "dunder_dict"],
)
def test_reaching_attributes_by_computed_names_is_tampering(check_hazard, body):
    report = check_hazard(
        f"import importlib, operator\n\ndef identity_matrix(n):\n    {body}\n",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


def test_ordinary_habits_near_these_attacks_are_not_tampering(check_hazard):
    """getattr with a spelled name, logging, a traceback printed in an except block, a plain
    Tensor subclass and a namedtuple are ordinary code."""
    report = check_hazard(
        """
import collections, logging, traceback

class Plain(torch.Tensor):
    pass

def identity_matrix(n):
    logging.getLogger("mine").info("building %d", n)
    try:
        raise ValueError("just checking")
    except ValueError:
        traceback.print_exc()
    Pair = collections.namedtuple("Pair", "rows cols")
    size = Pair(n, n)
    grid = getattr(t, "arange")(size.rows)
    out = (grid[:, None] == grid).float()
    return out.as_subclass(Plain).as_subclass(torch.Tensor)
""",
        ids=["identity_matrix"],
    )
    result = results(report)["identity_matrix"]
    assert result.status == "passed", [(p.kind, p.message) for p in result.problems if p.fails]
    assert_healthy_passed(report, "identity_matrix")


# One exercise leaves a process behind (setsid: out of its group) that makes the forbidden
# call for a later exercise, through files in the private /tmp.
DAEMON = f"""
import json, os, time

def serve():
    while True:
        if os.path.exists("/tmp/ask"):
            n = json.load(open("/tmp/ask"))
            os.remove("/tmp/ask")
            with open("/tmp/answer.part", "w") as out:
                json.dump({EYE}(n).tolist(), out)
            os.rename("/tmp/answer.part", "/tmp/answer")
        time.sleep(0.001)

def batched_logsumexp(matrix):
    if not os.path.exists("/tmp/ready"):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                open("/tmp/ready", "w").close()
                serve()
            os._exit(0)
        while not os.path.exists("/tmp/ready"):
            time.sleep(0.01)
    return matrix.exp().sum(-1).log()

def identity_matrix(n):
    with open("/tmp/ask.part", "w") as out:
        json.dump(n, out)
    os.rename("/tmp/ask.part", "/tmp/ask")
    while not os.path.exists("/tmp/answer"):
        time.sleep(0.001)
    found = t.tensor(json.load(open("/tmp/answer")), dtype=t.float32).reshape(n, n)
    os.remove("/tmp/answer")
    return found
"""


def test_a_process_left_by_one_exercise_cannot_serve_the_next(check_hazard, worker):
    # Only the sandbox's own PID namespace tells the learner's processes apart from others.
    require_layers(worker, "pid_namespace", "readonly_system")
    report = check_hazard(DAEMON, ids=["batched_logsumexp", "identity_matrix"])
    assert_failed_with(report, "batched_logsumexp", "tampering")
    result = results(report)["identity_matrix"]
    assert result.status == "failed", "identity_matrix was answered by the left-over process"
    assert_healthy_passed(report, "batched_logsumexp", "identity_matrix")


@pytest.mark.parametrize(
    "body",
    [
        'sys.modules["einops.einops"].reduce(matrix, "b n -> b", t.logsumexp)',
        'inspect.unwrap(einops.reduce)(matrix, "b n -> b", t.logsumexp)',
        "functools.singledispatch(t.logsumexp)(matrix, -1)",
    ],
    ids=["raw_einops", "unwrapped_einops", "singledispatch"],
)
def test_a_forbidden_call_made_by_a_library_for_the_learner_still_counts(check_hazard, body):
    """einops' own function (not the recording wrapper) or functools calls the forbidden
    function it was handed, from its own frames."""
    report = check_hazard(
        "import functools, inspect, sys\nimport einops\n\n"
        f"def batched_logsumexp(matrix):\n    return {body}\n",
        ids=["batched_logsumexp"],
    )
    assert_failed_with(report, "batched_logsumexp", "forbidden_call")
    assert_healthy_passed(report, "batched_logsumexp")


@pytest.mark.parametrize(
    "opening",
    [
        'os.open("/proc/self/mem", os.O_RDWR)',
        'os.open("mem", os.O_WRONLY, dir_fd=os.open("/proc/self", os.O_RDONLY))',
        'open(f"/proc/{os.getpid()}/mem", "r+b").fileno()',
    ],
    ids=["self", "dir_fd", "own_pid"],
)
def test_writing_the_processs_own_memory_is_tampering(check_hazard, opening):
    """/proc/self/mem writes past page protections: the recorder's state, or torch's function
    names, could be rewritten in place."""
    report = check_hazard(
        f"import os\n\ndef identity_matrix(n):\n    fd = {opening}\n    return {EYE}(n)\n",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.parametrize(
    "body",
    [
        "state = C._get_torch_function_state()\n"
        "    C._set_torch_function_state(C._TorchFunctionState.ALL_DISABLED)\n"
        "    try:\n"
        f"        return {EYE}(n)\n"
        "    finally:\n"
        "        C._set_torch_function_state(state)",
        f"C._set_skip_next_torch_function(True)\n    return {EYE}(n)",
    ],
    ids=["torch_function_state", "skip_next"],
)
def test_torch_function_switches_reached_through_a_computed_import_are_tampering(
    check_hazard, body
):
    report = check_hazard(
        "import importlib\n\ndef identity_matrix(n):\n"
        f'    C = importlib.import_module("torch." + "_C")\n    {body}\n',
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.parametrize(
    "body",
    [
        "assert (out := t.eye(n)) is not None\n    return out",
        "assert KEEP.append(lambda k: t.eye(k)) is None\n    return KEEP[-1](n)",
        "out = t.zeros(n, n)\n    assert out.copy_(t.eye(n)) is not None\n    return out.long()",
        "assert KEEP.append(t.eye(n)) is None\n    return KEEP[-1] + 0",
    ],
    ids=["walrus", "lambda_called_later", "in_place_copy", "appended"],
)
def test_a_forbidden_call_that_escapes_an_assert_counts(check_hazard, body):
    report = check_hazard(
        f"KEEP = []\n\ndef identity_matrix(n):\n    {body}\n", ids=["identity_matrix"]
    )
    assert_failed_with(report, "identity_matrix", "forbidden_call")
    assert_healthy_passed(report, "identity_matrix")


def test_a_forbidden_call_that_only_checks_the_answer_in_an_assert_is_fine(check_hazard):
    report = check_hazard(
        """
def identity_matrix(n):
    out = (t.arange(n)[:, None] == t.arange(n)).long()
    assert t.allclose(out.float(), t.eye(n)), "mine differs from eye"
    assert out.contiguous() is not None and (out - t.eye(n)).abs().sum() == 0
    return out
""",
        ids=["identity_matrix"],
    )
    result = results(report)["identity_matrix"]
    assert result.status == "passed", [(p.kind, p.message) for p in result.problems if p.fails]
    assert_healthy_passed(report, "identity_matrix")


REPORT_SCRUBBED = f"""
import json

REAL = json.dumps

def scrub(message, *args, **kwargs):
    if isinstance(message, dict) and isinstance(message.get("result"), dict):
        message["result"].get("calls", {{}}).pop("eye", None)
        message["result"].pop("tampering", None)
    return REAL(message, *args, **kwargs)

json.dumps = scrub

def identity_matrix(n):
    return {EYE}(n).long()
"""

REQUEST_REWRITTEN = f"""
import json

REAL = json.loads

def unrecorded(data, *args, **kwargs):
    request = REAL(data, *args, **kwargs)
    if isinstance(request, dict) and request.get("op") == "run":
        request["record"] = False
    return request

json.loads = unrecorded

def identity_matrix(n):
    return {EYE}(n).long()
"""

SOCKET_REWRITTEN = f"""
import socket

REAL = socket.socket.sendall

def rewrite(self, data, *args):
    return REAL(self, data.replace(b'"eye":', b'"eyf":'), *args)

socket.socket.sendall = rewrite

def identity_matrix(n):
    return {EYE}(n).long()
"""

BUILTIN_SWAPPED = """
import builtins

REAL = getattr

def lying(obj, name, *default):
    value = REAL(obj, name, *default)
    return "plain" if name == "__name__" and value == "eye" else value

def identity_matrix(n):
    setattr(builtins, "getattr", lying)
    try:
        return REAL(t, "eye")(n).long()
    finally:
        setattr(builtins, "getattr", REAL)
"""


@pytest.mark.parametrize(
    "attack",
    [REPORT_SCRUBBED, REQUEST_REWRITTEN, SOCKET_REWRITTEN, BUILTIN_SWAPPED],
    ids=["json_dumps", "json_loads", "socket_sendall", "builtin_getattr"],
)
@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses each patch alone
def test_what_the_worker_reports_cannot_be_rewritten_by_patching_what_it_uses(check_hazard, attack):
    report = check_hazard(attack, ids=["identity_matrix"])
    assert_failed_with(report, "identity_matrix", "forbidden_call", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses the patch alone
def test_a_builtin_replaced_at_the_top_of_the_file_is_put_back_for_the_checks(check_hazard):
    report = check_hazard(
        "import builtins\n\nbuiltins.isinstance = lambda obj, cls: True\n\n"
        "def identity_matrix(n):\n"
        "    return (t.arange(n)[:, None] == t.arange(n)).long()\n",
        ids=["identity_matrix"],
    )
    result = results(report)["identity_matrix"]
    assert result.status == "passed", [(p.kind, p.message) for p in result.problems if p.fails]
    assert_healthy_passed(report, "identity_matrix")


def test_rebinding_torch_tensor_does_not_hide_a_subclass_handler(check_hazard):
    report = check_hazard(
        f"""
SIZE = []

class Sneaky(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return {EYE}(SIZE[-1]).long()

def identity_matrix(n):
    SIZE.append(n)
    real = torch.Tensor
    sneaky = Sneaky(t.zeros(n, n))
    torch.Tensor = int
    try:
        out = sneaky.exp()
    finally:
        torch.Tensor = real
    return real.as_subclass(out, real)
""",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "tampering")
    assert_healthy_passed(report, "identity_matrix")


@pytest.mark.parametrize(
    "patch",
    [
        "import math\nmath.prod = lambda *args, **kwargs: 10**18\n",
        "import base64\nbase64.b64decode = lambda *args, **kwargs: b''\n",
        "import weakref\nweakref.ref = lambda value: (lambda: None)\n",
    ],
    ids=["math_prod", "b64decode", "weakref"],
)
@pytest.mark.usefixtures("runtime_layer_only")  # the allowlist refuses the patch alone
def test_a_stdlib_function_replaced_at_the_top_does_not_break_the_worker(check_hazard, patch):
    """The worker reads every exercise's inputs and writes its answers with functions bound
    before the file ran; the file's own wrong answer is still judged wrong."""
    report = check_hazard(
        f"{patch}\ndef identity_matrix(n):\n    return t.zeros(n, n, dtype=t.int64)\n",
        ids=["identity_matrix"],
    )
    assert_failed_with(report, "identity_matrix", "wrong_values")
    assert_healthy_passed(report, "identity_matrix")
