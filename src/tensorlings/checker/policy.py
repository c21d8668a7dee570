"""What learner code may reach, as data with a reason per entry: the allowlist.

The source scan (source_scan.py) judges a file's record of facts (facts.py) against it, in the
checker's own process, before any learner code runs. Anything outside it that can reach around
the checker is `tampering`, named with its line. The principle for modules: a module listed
here is allowed (less the members it refuses); any other module of the standard library, or any
other package installed in the grader, is refused; a module the grader does not have at all (a
course's own `part2_utils`, `plotly_utils`) is harmless, since importing it fails in the worker
and the load note says so.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Module:
    name: str
    reason: str
    members: frozenset[str] | None = None  # None: every public name of the module
    refused: Mapping[str, str] = field(default_factory=dict)  # member path -> why not


_TORCH_REFUSED = {
    "jit": "TorchScript and tracing run a graph below the torch functions the recorder sees",
    "compile": "a compiled graph runs below the torch functions the recorder sees",
    "fx": "a traced graph runs below the torch functions the recorder sees",
    "export": "an exported graph runs below the torch functions the recorder sees",
    "ops": "torch.ops dispatches below the torch functions the recorder sees",
    "library": "defines new operators below the torch functions the recorder sees",
    "overrides": "function modes and their switches sit where the recorder sits",
    "classes": "C++ classes run below the torch functions the recorder sees",
    "load": "unpickling calls whatever the pickle names",
    "hub": "loads and runs code from elsewhere",
    "package": "unpickles code and objects",
    "multiprocessing": "other processes run out of the recorder's sight",
    "distributed": "other processes and sockets",
    "utils.cpp_extension": "compiles and loads native code",
    "utils.hooks": "hooks that run code out of order",
    "cond": "a higher-order operator that traces its branches",
}
_STRING_FORMATTER = "a Formatter's fields walk attributes and items by name"

# Modules (and the public members of each) that tensor exercises and real learners' files use.
ALLOWED: tuple[Module, ...] = (
    Module("torch", "the subject of every exercise: its public API", refused=_TORCH_REFUSED),
    Module("einops", "rearrange/reduce/repeat/einsum are taught", refused={
        "einops": "einops' own module calls torch from its frames, not the learner's",
    }),
    Module("numpy", "learners compare with numpy and build test data", refused={
        "ctypeslib": "raw memory through ctypes", "f2py": "compiles native code",
        "distutils": "builds native code",
        "core": "numpy's implementation under its old name (numpy._core): its functions call"
        " each other there, out of the recorder's sight (numpy.core.numeric.identity)",
        "matlib": "matrix builders (matlib.identity) computed out of the recorder's sight",
    }),
    Module("math", "scalar arithmetic"),
    Module("cmath", "scalar arithmetic"),
    Module("typing", "annotations"),
    Module("typing_extensions", "annotations"),
    Module("jaxtyping", "shape annotations in course files"),
    Module("__future__", "annotations"),
    Module("functools", "partial, reduce, cache: plain function tools (calls they make are still"
           " recorded; what they reach is judged by the rules)"),
    Module("itertools", "product, combinations, chain: iteration helpers (a loop under a rule)"),
    Module("collections", "namedtuple, Counter, defaultdict, deque"),
    Module("dataclasses", "plain records"),
    Module("enum", "plain constants"),
    Module("abc", "plain abstract classes"),
    Module("copy", "copies of plain values"),
    Module("operator", "operators as functions", refused={
        "attrgetter": "reaches attributes by names held in strings",
        "methodcaller": "reaches methods by names held in strings",
    }),
    Module("random", "learners draw their own test data; where an exercise forbids it, its "
           "forbidden_modules rule says so, and torch's generator is seeded per call anyway"),
    Module("statistics", "scalar arithmetic"),
    Module("fractions", "scalar arithmetic"),
    Module("decimal", "scalar arithmetic"),
    Module("numbers", "type checks"),
    Module("heapq", "plain data structures"),
    Module("bisect", "plain data structures"),
    Module("string", "constants of letters and digits", refused={"Formatter": _STRING_FORMATTER}),
    Module("re", "text patterns"),
    Module("json", "plain data"),
    Module("csv", "plain data"),
    Module("textwrap", "printing"),
    Module("pprint", "printing"),
    Module("io", "StringIO for captured output"),
    Module("contextlib", "redirect_stdout, suppress, nullcontext"),
    Module("warnings", "filterwarnings in notebooks"),
    Module("logging", "printing with levels", refused={
        "currentframe": "hands out the caller's frame",
    }),
    Module("traceback", "printing an exception in an except block; the functions that hand out"
           " frames are left out", members=frozenset({
               "print_exc", "format_exc", "print_exception", "format_exception",
               "format_exception_only", "print_stack"})),
    Module("time", "timing the learner's own code (the coach's timings are advice only)"),
    Module("timeit", "timing the learner's own code"),
    Module("datetime", "dates in printed output"),
    Module("pathlib", "paths to the learner's own data files; writing the process's own"
           " memory is refused by the /proc rule"),
    Module("glob", "finding the learner's own data files"),
    Module("argparse", "scripts exported from notebooks"),
    Module("unittest", "learners' own test cases", refused={
        "mock": "patches any object by its dotted name, torch's functions included",
    }),
    Module("types", "SimpleNamespace only: the rest builds functions from code objects",
           members=frozenset({"SimpleNamespace", "GenericAlias", "NoneType"})),
    Module("importlib", "reload only: every other function imports a module named by a string",
           members=frozenset({"reload"})),
    Module("sys", "sys.path.append/insert and printing; `name in sys.modules` (a notebook's"
           " Colab check) but never sys.modules itself", members=frozenset({
               "path", "argv", "version", "version_info", "platform", "stdout", "stderr",
               "stdin", "exit", "maxsize", "float_info", "int_info", "executable",
               "byteorder", "implementation", "getrecursionlimit", "setrecursionlimit",
               "getsizeof", "flags", "getdefaultencoding"})),
    Module("os", "os.chdir/getcwd/path/environ and file listing; processes, signals, raw"
           " file descriptors and exec are left out", members=frozenset({
               "chdir", "getcwd", "path", "environ", "getenv", "listdir", "scandir", "walk",
               "makedirs", "mkdir", "remove", "unlink", "rename", "sep", "linesep", "pathsep",
               "name", "curdir", "pardir", "devnull", "cpu_count", "fspath", "PathLike",
               "getpid", "urandom", "stat", "rmdir", "get_terminal_size"})),
    Module("platform", "printing the machine's name"),
    Module("locale", "printing numbers"),
    Module("hashlib", "fingerprints of plain data"),
    Module("base64", "plain data"),
    Module("struct", "plain data"),
    Module("array", "plain data"),
    Module("uuid", "plain data"),
    Module("tempfile", "scratch files in the learner's own folder"),
    Module("shutil", "copying the learner's own files"),
    Module("zipfile", "the learner's own data files"),
    Module("gzip", "the learner's own data files"),
    # Third-party packages real learners import for numbers, plots, tables, progress bars,
    # type checks and course helpers: plain computation or display, nothing that reaches
    # frames, processes or the interpreter.
    Module("fancy_einsum", "a course's einsum with named axes"),
    Module("eindex", "a course's indexing with named axes"),
    Module("einx", "einsum-style notation"),
    Module("typeguard", "runtime type checks of annotations"),
    Module("beartype", "runtime type checks of annotations"),
    Module("scipy", "numerics"),
    Module("sklearn", "numerics"),
    Module("sympy", "symbolic maths"),
    Module("networkx", "graphs as plain data"),
    Module("torchvision", "datasets and image transforms"),
    Module("transformer_lens", "a course's model library"),
    Module("circuitsvis", "a course's plots"),
    Module("datasets", "a course's data"),
    Module("PIL", "images"),
    Module("tqdm", "progress bars"),
    Module("rich", "printing tables"),
    Module("tabulate", "printing tables"),
    Module("matplotlib", "plots"),
    Module("seaborn", "plots"),
    Module("plotly", "plots"),
    Module("pandas", "tables"),
    Module("yaml", "plain data (safe_load)"),
    Module("IPython", "display in notebooks"),
    Module("ipywidgets", "display in notebooks"),
    Module("pytest", "learners' own tests"),
    Module("tensorlings", "tensorlings.check in a notebook; using the package inside an exercise"
           " is judged by the forbidden_import rule"),
)  # fmt: skip
_BY_NAME = {module.name: module for module in ALLOWED}
# Paths whose membership test (`"google.colab" in sys.modules`) is plain code.
MEMBERSHIP_ONLY = frozenset({"sys.modules"})
# Private names that only end the learner's own process (an accident the sandbox contains).
HARMLESS_PRIVATE_PATHS = frozenset({"os._exit"})
# Attribute writes to a module that only set options.
OPTION_WRITES = ("torch.backends.", "pandas.options.", "numpy.set_printoptions")

# Dunder names that are an operator or a plain name under another spelling.
OPERATOR_DUNDERS = frozenset(
    f"__{name}__"
    for name in [
        "init",
        "new",
        "post_init",
        "call",
        "repr",
        "str",
        "len",
        "iter",
        "next",
        "reversed",
        "contains",
        "getitem",
        "setitem",
        "delitem",
        "missing",
        "bool",
        "hash",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "neg",
        "pos",
        "abs",
        "invert",
        "round",
        "index",
        "int",
        "float",
        "complex",
        "enter",
        "exit",
        "format",
    ]
    + [
        f"{prefix}{op}"
        for op in [
            "add",
            "sub",
            "mul",
            "matmul",
            "truediv",
            "floordiv",
            "mod",
            "pow",
            "and",
            "or",
            "xor",
            "lshift",
            "rshift",
        ]
        for prefix in ("", "r", "i")
    ]
)
NAME_DUNDERS = frozenset(
    {"__name__", "__qualname__", "__doc__", "__version__", "__module__", "__file__"}
)
HARMLESS_DUNDER_ATTRIBUTES = OPERATOR_DUNDERS | NAME_DUNDERS
# Shell commands that a top-level statement of their own runs (`os.system("pip install
# einops")`, the script spelling of a notebook's `!pip install`): the loader skips such a
# statement unrun, as it skips `!` lines, so they are no false alarm and run nothing.
SHELL_CALLS = frozenset(
    {"os.system", "os.popen"}
    | {
        f"subprocess.{name}"
        for name in ("run", "call", "check_call", "check_output", "Popen", "getoutput")
    }
)
# What a format field may read (`"{0.shape}".format(x)`, `"{0.shape[0]}"`): one step to
# an attribute a learner prints about a tensor, then integer indexes only. It ends in a
# string, and what it reads is what `x.shape` reads in code.
FORMAT_FIELD_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "device", "T", "requires_grad"})
# Allowed only as the receiver of one of NAME_DUNDERS (`x.__class__.__name__`, a common way
# to print a type): the chain ends in a string, so it reaches nothing.
NAMED_ONLY_DUNDERS = frozenset({"__class__"})
# Dunder names a file or a class body may assign: protocol methods and plain declarations.
BOUND_DUNDERS = OPERATOR_DUNDERS | {"__all__", "__slots__", "__version__", "__doc__", "__author__"}
HARMLESS_DUNDER_NAMES = frozenset({"__name__", "__file__", "__doc__", "__debug__"})
# namedtuple's own public API is spelled with an underscore.
HARMLESS_PRIVATE = frozenset({"_replace", "_asdict", "_fields", "_make", "_field_defaults"})


def _attributes(*kinds: type) -> frozenset[str]:
    return frozenset(name for kind in kinds for name in dir(kind) if not name.startswith("__"))


# What leads from an object to the interpreter: frames, code, tracebacks, generators, cells.
FRAME_ATTRIBUTES = _attributes(
    types.FrameType, types.CodeType, types.TracebackType, types.GeneratorType,
    types.CoroutineType, types.AsyncGeneratorType, types.CellType,
) - {"clear", "close", "send", "throw", "replace", "asend", "athrow", "aclose"}  # fmt: skip

# Builtins that reach names through strings or run code: never tensor code.
REFUSED_BUILTINS = {
    "vars": "reads an object's namespace as a dict of names",
    "globals": "reads and writes the module's namespace by name",
    "locals": "reads a frame's namespace by name",
    "eval": "runs code held in a string",
    "exec": "runs code held in a string",
    "compile": "builds code from a string",
    "__import__": "imports a module named by a string",
    "breakpoint": "calls whatever sys.breakpointhook is",
}
# Attribute access by a name: plain code with a spelled public name, tampering otherwise.
NAMED_ACCESS = frozenset({"getattr", "setattr", "delattr", "hasattr"})
WRITE_MODES = frozenset("wax+")
PROC = "/proc"


# The name the worker's loader registers the file under in sys.modules (worker/loader.py), so
# that `@dataclass` finds it; importing it would rebind the file's names unseen by the record.
LEARNER_MODULE = "__learner__"


def module_verdict(path: str, membership: bool = False) -> str | None:
    """Why the dotted path `path` is refused, or None when it is allowed (or unknown to the
    grader, so harmless: importing it fails before anything runs)."""
    module = _allowed_module(path)
    if path in HARMLESS_PRIVATE_PATHS:
        return None
    if module is None:
        top = path.split(".")[0]
        if top == LEARNER_MODULE:
            return f"{top} is the file's own module, reached around its bindings"
        if top in sys.stdlib_module_names:
            return f"{top} is not in the allowlist of modules (checker/policy.py)"
        if _installed(top):
            return f"{top} is an installed package outside the allowlist (checker/policy.py)"
        return None
    rest = path[len(module.name) + 1 :]
    if not rest:
        return None
    parts = rest.split(".")
    private = next((p for p in parts if p.startswith("_") and not p.startswith("__")), None)
    if private is not None:
        return f"{private} is private to {module.name}"
    for member, reason in module.refused.items():
        if rest == member or rest.startswith(member + "."):
            return reason
    if f"{module.name}.{parts[0]}" in MEMBERSHIP_ONLY:
        if membership and len(parts) == 1:
            return None
        return f"{module.name}.{parts[0]} is allowed only in a test `name in {path}`"
    if module.members is not None and parts[0] not in module.members:
        return f"{module.name}.{parts[0]} is not among the parts of {module.name} allowed"
    return None


def _allowed_module(path: str) -> Module | None:
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        found = _BY_NAME.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


@cache
def _installed(top: str) -> bool:
    """An installed package (not a course's own module found by chance on this path)."""
    if top in sys.builtin_module_names:
        return True
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    origin = (spec.origin or "") if spec is not None else ""
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return any("-packages" in place for place in [origin, *locations])
