"""The second, independent look at the rules: the learner's source, judged in the checker's own
process against the allowlist (policy.py) before any learner code runs.

It reads the file's record of facts (facts.py) and finds two things. Tampering: anything
outside the allowlist that can reach around the checker (frames, dunders, names held in
strings, modules outside the allowlist, torch's private and internal namespaces, dispatch
modes, JIT and compile, writes under /proc). And forbidden calls spelled in the code, called or
passed as values, in whatever the exercise name reaches (outside the learner's own asserts),
which back up what the recorder saw at run time.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable, Iterator

from tensorlings.checker import policy
from tensorlings.checker.facts import THE_FILE, Access, Facts, Piece, Where, dotted
from tensorlings.checker.static import SourceFinding

Act = tuple[Where, str]
_FORMAT_METHODS = frozenset({"format", "format_map"})
# A field: an argument's number or name, at most one attribute, then integer indexes.
_PRINTING_FIELD = re.compile(r"\w*(?:\.(\w+))?(?:\[\d+\])*")


def acts(facts: Facts) -> list[Act]:
    """Every construct of the file outside the allowlist, with where it is (judged once per
    record)."""
    found = facts.memo.get("acts")
    if not isinstance(found, list):
        found = facts.memo["acts"] = _judged(facts)
    return found


def _judged(facts: Facts) -> list[Act]:
    found: list[Act] = [
        (i.where, f"import of {i.module} ({why})")
        for i in facts.imports
        if (why := policy.module_verdict(i.module)) is not None
    ]
    for access in facts.accesses:
        found += [(access.where, what) for what in _access_acts(access, facts)]
    for definition in facts.definitions:
        name = definition.name
        if name.startswith("__") and name not in policy.OPERATOR_DUNDERS:
            owner = definition.where.owner
            top = owner is not None and owner.node is definition.node
            where = definition.where if top else _later(definition.where)
            found.append((where, f"a definition of {name}"))
    found += [
        (text.where, f"a path under /proc ({text.value[:40]!r})")
        for text in facts.texts
        if text.value.startswith(policy.PROC)
    ]
    return found


def _later(where: Where) -> Where:
    """A method is reached through its class, not run while the file loads."""
    return Where(where.line, where.owner, False, where.in_assert, where.reachable, None)


def _access_acts(access: Access, facts: Facts) -> Iterator[str]:
    node = access.node
    if isinstance(node, ast.Name) and node.id not in facts.aliases:
        yield from _name_acts(access, node.id, facts)
    if isinstance(node, ast.Attribute):
        yield from _attribute_acts(access, node, facts)
    if access.path is not None:
        why = policy.module_verdict(access.path, access.membership)
        if why is not None:
            yield f"{access.path} ({why})"
        option = access.path.startswith(policy.OPTION_WRITES)
        if access.store and isinstance(node, ast.Attribute) and not option:
            yield f"an assignment to {access.path}, which changes a module for everyone"


def _name_acts(access: Access, name: str, facts: Facts) -> Iterator[str]:
    if not isinstance(access.node.ctx, ast.Load):
        if name.startswith("__") and name not in policy.BOUND_DUNDERS:
            yield f"an assignment to {name}"  # `__torch_function__ = ...` in a class body
        return
    if name in facts.by_name:
        return  # the file's own name, not the builtin
    if name in policy.REFUSED_BUILTINS:
        yield f"{name} ({policy.REFUSED_BUILTINS[name]})"
    elif name.startswith("__") and name not in policy.HARMLESS_DUNDER_NAMES:
        yield name
    elif name in policy.NAMED_ACCESS:
        yield from _named_access(name, access.call, facts)
    elif name == "open" and access.call is not None:
        yield from _open_acts(access.call)


def _attribute_acts(access: Access, node: ast.Attribute, facts: Facts) -> Iterator[str]:
    attr = node.attr
    if attr.startswith("__") and attr.endswith("__"):
        if attr not in policy.HARMLESS_DUNDER_ATTRIBUTES and not _only_named(node, facts):
            yield f".{attr}"
    elif attr in policy.FRAME_ATTRIBUTES:
        yield f".{attr} (frames, code and tracebacks lead to the checker's objects)"
    elif _foreign_private(attr, access, node, facts):
        yield f".{attr} (a private attribute of an object that is not the file's own)"
    if attr in _FORMAT_METHODS and access.call is not None:
        yield from _format_acts(node.value, access.call, facts)


def _only_named(node: ast.Attribute, facts: Facts) -> bool:
    """`x.__class__` read only to take its name (`x.__class__.__name__`)."""
    if node.attr not in policy.NAMED_ONLY_DUNDERS or not isinstance(node.ctx, ast.Load):
        return False
    named = facts.memo.get("named_receivers")
    if not isinstance(named, frozenset):
        named = facts.memo["named_receivers"] = frozenset(
            id(a.node.value)
            for a in facts.accesses
            if isinstance(a.node, ast.Attribute) and a.node.attr in policy.NAME_DUNDERS
        )
    return id(node) in named


def _foreign_private(attr: str, access: Access, node: ast.Attribute, facts: Facts) -> bool:
    """`obj._x` where `_x` is not a name the file itself defines or assigns (`self._x = ...`,
    `other._x` in a method), nor a namedtuple's: a private name of someone else's object."""
    if not attr.startswith("_") or attr in policy.HARMLESS_PRIVATE:
        return False
    return access.path is None and not _own_object(node.value) and attr not in _own_names(facts)


def _own_names(facts: Facts) -> frozenset[str]:
    """Every attribute name the file assigns and every name it defines (once per record)."""
    found = facts.memo.get("own_names")
    if not isinstance(found, frozenset):
        stored = {
            a.node.attr for a in facts.accesses if a.store and isinstance(a.node, ast.Attribute)
        }
        stored |= {a.node.id for a in facts.accesses if a.store and isinstance(a.node, ast.Name)}
        found = facts.memo["own_names"] = frozenset(stored | {d.name for d in facts.definitions})
    return found


def _own_object(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def _named_access(name: str, call: ast.Call | None, facts: Facts) -> Iterator[str]:
    """getattr(x, "shape") is plain code; getattr(x, "soft" + "max"), getattr as a value
    (`reduce(getattr, [...], obj)`) or a private name hide what is reached."""
    if name == "hasattr":
        return
    if call is None:
        yield f"{name} used as a value, which reaches attributes by names held in strings"
        return
    spelled = call.args[1] if len(call.args) > 1 else None
    if not (isinstance(spelled, ast.Constant) and isinstance(spelled.value, str)):
        yield f"{name}(…) with a name computed at run time"
        return
    attr = spelled.value
    if (
        attr.startswith("_") and attr not in policy.HARMLESS_DUNDER_ATTRIBUTES
    ) or attr in policy.FRAME_ATTRIBUTES:
        yield f"{name}(…, {attr!r})"
    receiver = dotted(call.args[0], facts.aliases) if call.args else None
    if receiver is None:
        return
    why = policy.module_verdict(f"{receiver}.{attr}")
    if why is not None:
        yield f"{name}({receiver}, {attr!r}) ({why})"
    elif name != "getattr":
        yield f"{name}({receiver}, {attr!r}), which changes a module for everyone"


def _open_acts(call: ast.Call) -> Iterator[str]:
    mode = call.args[1] if len(call.args) > 1 else None
    mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
    if mode is None:
        return  # reading
    if isinstance(mode, ast.Constant) and not policy.WRITE_MODES & set(str(mode.value)):
        return
    target = call.args[0] if call.args else None
    if isinstance(target, ast.JoinedStr) and target.values:
        target = target.values[0]
    spelled = isinstance(target, ast.Constant) and isinstance(target.value, str)
    if spelled and not str(target.value).startswith(policy.PROC):  # type: ignore[union-attr]
        return
    yield "open(…) for writing a path computed at run time or under /proc"


def _format_acts(receiver: ast.expr, call: ast.Call, facts: Facts) -> Iterator[str]:
    """`"{0.__class__}".format(x)` walks attributes by name, as getattr would. A template
    held in a name is judged by every constant string the name is assigned."""
    if isinstance(receiver, ast.Name) and receiver.id == "str" and call.args:
        receiver = call.args[0]
    templates: list[str | None] = [None]
    if isinstance(receiver, ast.BinOp) and isinstance(receiver.op, ast.Mult):
        # `"{:>8}" * 3` repeats one template; `+` could join a field from harmless halves.
        receiver = next(
            (s for s in (receiver.left, receiver.right) if isinstance(s, ast.Constant)), receiver
        )
    if isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
        templates = [receiver.value]
    elif isinstance(receiver, ast.Name):
        templates = facts.texts_bound.get(receiver.id) or [None]
    if None in templates:
        yield "a format string computed at run time, whose fields may walk attributes"
        return
    for template in templates:
        walking = _walking_fields(str(template))
        if walking:
            yield f"a format field {{{walking[0]}}} that walks attributes or items by name"
            return


def _walking_fields(template: str) -> list[str]:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    except ValueError:
        return []  # formatting raises at run time, before it reaches anything
    return [f for f in fields if ("." in f or "[" in f) and not _printing_field(f)]


def _printing_field(field_name: str) -> bool:
    """`{0.shape}`, `{x.dtype}`, `{0[1]}`, `{t.shape[0]}`: see policy.FORMAT_FIELD_ATTRIBUTES."""
    found = _PRINTING_FIELD.fullmatch(field_name)
    attr = found.group(1) if found else None
    return found is not None and (attr is None or attr in policy.FORMAT_FIELD_ATTRIBUTES)


def _file_level(where: Where) -> bool:
    owner = where.owner
    if owner is None:
        return True
    return where.at_load and not isinstance(owner.node, ast.Import | ast.ImportFrom)


def _one_per_line(found: Iterable[SourceFinding]) -> list[SourceFinding]:
    by_line: dict[int, SourceFinding] = {}
    for finding in found:
        by_line.setdefault(finding.line, finding)
    return sorted(by_line.values(), key=lambda f: f.line)


def file_tampering(facts: Facts) -> list[SourceFinding]:
    """Tampering in what runs while the file loads: it fails every exercise."""
    return _one_per_line(
        SourceFinding(where.line, what, THE_FILE)
        for where, what in acts(facts)
        if _file_level(where)
    )


def reached_tampering(facts: Facts, name: str) -> list[SourceFinding]:
    """Tampering in the definitions that what `name` is bound to reaches."""
    reached = {id(piece) for piece in facts.reach(name)}
    return _one_per_line(
        SourceFinding(where.line, what, where.owner.label)
        for where, what in acts(facts)
        if not _file_level(where) and where.owner is not None and id(where.owner) in reached
    )


def reached_accesses(facts: Facts, pieces: list[Piece]) -> Iterator[Access]:
    """The reachable accesses of `pieces` outside the learner's own asserts."""
    reached = {id(piece) for piece in pieces}
    for access in facts.accesses:
        where = access.where
        owned = where.owner is not None and id(where.owner) in reached
        if owned and where.reachable and not where.in_assert:
            yield access


def forbidden_calls(facts: Facts, name: str, names: frozenset[str]) -> list[SourceFinding]:
    """Forbidden torch or einops functions that what `name` is bound to calls or passes on as
    a value (`t.eye(n)`, `x.clamp(min=0)`, `partial(torch.softmax, dim=-1)`,
    `reduce(torch.logaddexp, ...)`), outside the learner's own asserts."""
    found = []
    for access in reached_accesses(facts, facts.reach(name)):
        called = _forbidden_name(access)
        if called is not None and called in names:
            assert access.where.owner is not None
            found.append(SourceFinding(access.where.line, called, access.where.owner.label))
    bound = {id(piece) for piece in facts.running(name)}  # `from torch import eye as name`
    for imported in facts.imports:
        owner = imported.where.owner
        if owner is not None and id(owner) in bound and imported.module.startswith("torch."):
            called = _public(imported.module.rsplit(".", 1)[-1])
            if called in names:
                found.append(SourceFinding(imported.where.line, called, name))
    return _one_per_line(found)


def _forbidden_name(access: Access) -> str | None:
    """The torch or einops function an access names; None for other modules' functions
    (numpy's are judged by what they return, as at run time)."""
    node, path = access.node, access.path
    if not access.outermost or access.store:
        return None
    if path is not None:
        return _public(path.rsplit(".", 1)[-1]) if path.startswith(("torch.", "einops.")) else None
    if isinstance(node, ast.Attribute) and access.call is not None:
        return _public(node.attr)  # a tensor method: `x.clamp(min=0)`
    return None


def _public(name: str) -> str:
    """`_softmax` is `softmax`, `cross_entropy_loss` is `cross_entropy` (as the recorder says)."""
    name = name.removeprefix("special_")
    if name.startswith("_") and not name.startswith("__"):
        name = name.lstrip("_")
    return {"cross_entropy_loss": "cross_entropy", "nll_loss_nd": "nll_loss"}.get(name, name)
