"""The second, independent look at the rules: the learner's source, read in the checker's own
process, where nothing the learner's code does at run time can reach.

It finds two things. Tampering: code that reaches into the interpreter or torch to hide calls
from the recorder (frames, closures, the garbage collector, torch's mode stack and dispatcher
internals, eval/exec). Correct solutions to the sheet never need any of it, so it fails the
exercise. And forbidden calls spelled out in the code (outside the learner's own asserts),
which back up what the recorder saw at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from tensorlings.checker import static
from tensorlings.checker.static import Finding, FunctionNode

# Attributes that lead from a function or frame to the checker's objects, or switch off the
# recorder. `x.f_back` is never tensor code.
TAMPER_ATTRIBUTES = frozenset(
    {
        "__closure__", "cell_contents", "__globals__", "__code__", "__wrapped__",
        "__subclasses__", "__builtins__", "f_back", "f_locals", "f_globals", "f_code",
        "tb_frame", "gi_frame", "cr_frame", "ag_frame", "_getframe", "_current_frames",
        "settrace", "setprofile", "addaudithook", "get_objects", "get_referrers",
        "get_referents", "meta_path", "DisableTorchFunction", "DisableTorchFunctionSubclass",
        "_pop_mode", "_pop_mode_temporarily", "_push_mode", "_get_current_function_mode",
        "_get_current_function_mode_stack", "_pop_torch_function_stack",
        "_push_on_torch_function_stack", "_get_function_stack_at", "_len_torch_function_stack",
        "_disabled_torch_function_impl", "_set_torch_function_mode", "start_new_thread",
        "start_new", "__dict__", "__getattribute__", "getattr_static", "getmembers",
        "getmembers_static", "getclosurevars", "getargvalues", "attrgetter", "methodcaller",
        "resolve_name", "CompilationUnit", "_set_torch_function_state",
        "_set_skip_next_torch_function", "_skip_one_hop_torch_function",
    }
)  # fmt: skip
# Modules (and parts of torch) whose use means going around the recorder: torch.ops and the
# reference/prims layers dispatch below torch functions, where no mode sees them.
TAMPER_MODULES = (
    "ctypes",
    "_ctypes",
    "_thread",
    "torch._C",
    "torch.ops",
    "torch._ops",
    "torch._refs",
    "torch._prims",
    "torch._decomp",
    "torch.overrides",
    "torch.utils._python_dispatch",
    # einops' internals call torch from einops' frames, where calls are not the learner's.
    "einops._backends",
    "einops._torch_specific",
    "einops.einops",
    # Names looked up from strings, where neither this scan nor a reader sees what is reached.
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.vars",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.__import__",
    "operator.attrgetter",
    "operator.methodcaller",
    "inspect.getattr_static",
    "inspect.getmembers",
    "inspect.getclosurevars",
    "inspect.getargvalues",
    "pkgutil.resolve_name",
    "pydoc.locate",
    # TorchScript compiled from a string or loaded from bytes runs below the torch functions.
    "torch.jit.CompilationUnit",
    "torch.jit.load",
    "torch.library",
)
TAMPER_BUILTINS = frozenset({"eval", "exec", "compile", "__import__"})
# Attribute access by a name computed at run time: only a string spelled in the code is read.
NAMED_ACCESS = frozenset({"getattr", "setattr", "delattr", "vars"})


def tampering(nodes: Iterable[ast.AST], bindings: dict[str, str], owner: str) -> list[Finding]:
    """Tampering constructs in `nodes` (a function, or the file's top-level statements)."""
    found: list[Finding] = []
    for node in nodes:
        local = {**bindings, **static.module_bindings([node])}
        for item in ast.walk(node):
            what = _tamper_use(item, local)
            if what is not None:
                found.append(Finding(getattr(item, "lineno", 0), what, owner))
    return _one_per_line(found)


def _tamper_use(node: ast.AST, bindings: dict[str, str]) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr in TAMPER_ATTRIBUTES:
        return f".{node.attr}"
    if isinstance(node, ast.Import | ast.ImportFrom):
        for target in static.module_bindings([node]).values():
            if _under_any(target):
                return f"import of {target}"
    if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
        dotted = static.dotted(node, bindings)
        if dotted is not None and _under_any(dotted):
            return dotted
    if isinstance(node, ast.Name) and node.id == "__builtins__":
        return "__builtins__"
    if isinstance(node, ast.Call):
        callee = node.func
        # (a name bound by an import is that module's function, not the builtin)
        if isinstance(callee, ast.Name) and callee.id in TAMPER_BUILTINS - bindings.keys():
            return f"{callee.id}()"
        if isinstance(callee, ast.Name) and callee.id in NAMED_ACCESS - bindings.keys():
            return _named_access(callee.id, node)
        computed = not (node.args and isinstance(node.args[0], ast.Constant))
        if computed and static.dotted(callee, bindings) == "importlib.import_module":
            return "importlib.import_module(…) with a name computed at run time"
    return None


def _named_access(builtin: str, call: ast.Call) -> str | None:
    """getattr(x, "shape") is plain code; getattr(x, "soft" + "max") or vars(torch) hides
    which attribute it reaches, from this scan as from a reader."""
    if builtin == "vars":
        return "vars(…)" if call.args else None
    name = _constant_name(call)
    if name is None:
        return f"{builtin}(…) with a name computed at run time"
    return f"{builtin}(…, {name!r})" if name in TAMPER_ATTRIBUTES else None


def _constant_name(call: ast.Call) -> str | None:
    if len(call.args) > 1 and isinstance(call.args[1], ast.Constant):
        value = call.args[1].value
        return value if isinstance(value, str) else None
    return None


def _under_any(path: str) -> bool:
    return any(path == module or path.startswith(module + ".") for module in TAMPER_MODULES)


def _one_per_line(found: list[Finding]) -> list[Finding]:
    by_line: dict[int, Finding] = {}
    for finding in found:
        by_line.setdefault(finding.line, finding)
    return sorted(by_line.values(), key=lambda f: f.line)


def top_level(statements: Iterable[ast.stmt]) -> list[ast.stmt]:
    """The file's statements other than function definitions (which are scanned on their own,
    when an exercise uses them). Classes count here: their bodies run at load."""
    return [s for s in statements if not isinstance(s, FunctionNode)]


def forbidden_calls(
    functions: Iterable[FunctionNode], bindings: dict[str, str], names: frozenset[str]
) -> list[Finding]:
    """Calls spelled in the code whose called name is one of `names` (`t.eye(n)`,
    `x.clamp(min=0)`, `from torch import eye; eye(n)`), outside the learner's own asserts."""
    found: list[Finding] = []
    for function in functions:
        local = {**bindings, **static.module_bindings([function])}
        exempt = {
            id(n) for a in ast.walk(function) if isinstance(a, ast.Assert) for n in ast.walk(a)
        }
        for node in ast.walk(function):
            if not isinstance(node, ast.Call) or id(node) in exempt:
                continue
            called = _called_name(node.func, local)
            if called is not None and called in names:
                found.append(Finding(node.lineno, called, function.name))
    return _one_per_line(found)


def _called_name(callee: ast.AST, bindings: dict[str, str]) -> str | None:
    """The torch or einops call (or tensor method) a call spells; None for other modules'
    functions (numpy's are judged by what they return, as at run time)."""
    if isinstance(callee, ast.Attribute):
        dotted = static.dotted(callee, bindings)
        if dotted is not None and not dotted.startswith(("torch.", "einops.")):
            return None
        return _public(callee.attr)
    if isinstance(callee, ast.Name) and callee.id in bindings:
        target = bindings[callee.id]
        if target.startswith(("torch.", "einops.")):
            return _public(target.rsplit(".", 1)[1])
    return None


def _public(name: str) -> str:
    """`_softmax` is `softmax`, `cross_entropy_loss` is `cross_entropy` (as the recorder says)."""
    name = name.removeprefix("special_")
    if name.startswith("_") and not name.startswith("__"):
        name = name.lstrip("_")
    return {"cross_entropy_loss": "cross_entropy", "nll_loss_nd": "nll_loss"}.get(name, name)
