"""One record of what a learner's file says, read once in the checker's own process.

Every static judgement (stubs, loops, imports, asserts, tampering, forbidden calls spelled in
the code) reads this record instead of walking the syntax tree again. The record knows which
top-level binding of a name runs (the last one, and any conditional one after it), so a decoy
definition cannot be judged while another one runs, and it links every definition to the
top-level names it reads, so whatever an exercise name is bound to is judged as the function.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
THE_FILE = "the file"
_END = 1 << 62  # a function body runs after every top-level statement


class NotRun(enum.Enum):
    """Why a top-level statement is skipped, as `!pip install` lines are."""

    COLAB_BLOCK = "colab block"  # `if IN_COLAB:` without an else
    SHELL_COMMAND = "shell command"  # `os.system("pip install einops")`, `subprocess.run([...])`


@dataclass(eq=False)
class Piece:
    """One top-level binding statement: a def, a class, an assignment, an import."""

    names: tuple[str, ...]
    node: ast.AST  # the def or class, the bound expression, or the whole statement
    order: int  # position in the file, in reading order
    conditional: bool  # inside a top-level if/try/for/while/with: may not run
    function: FunctionNode | None = None  # a def, or `f = lambda ...` seen as a def
    refs: set[tuple[str, bool]] = field(default_factory=set)  # (name, read later by a body)
    called: set[str] = field(default_factory=set)  # names its bodies call

    @property
    def label(self) -> str:
        return self.names[0] if self.names else THE_FILE


@dataclass(frozen=True)
class Where:
    """Where a fact was found and in which circumstances it runs."""

    line: int
    owner: Piece | None  # None: a top-level statement that binds nothing
    at_load: bool  # runs while the file loads (top level, class bodies, decorators, defaults)
    in_assert: bool
    reachable: bool  # not after a return/raise/break/continue in the same block
    function: ast.AST | None  # the innermost def or lambda around it

    @property
    def owner_label(self) -> str:
        return self.owner.label if self.owner is not None and not self.at_load else THE_FILE


@dataclass(frozen=True)
class Access:
    """A name or attribute read or written; `path` is its dotted meaning through the imports
    ('F.softmax' -> 'torch.nn.functional.softmax')."""

    node: ast.Name | ast.Attribute
    where: Where
    path: str | None
    call: ast.Call | None  # the call when this is what is called
    outermost: bool  # not the receiver of a longer attribute chain
    membership: bool  # the right side of `in` / `not in`

    @property
    def store(self) -> bool:
        return not isinstance(self.node.ctx, ast.Load)


@dataclass(frozen=True)
class Loop:
    what: str
    where: Where


@dataclass(frozen=True)
class Definition:
    node: ast.AST  # def, class or lambda, nested ones included
    name: str
    where: Where


@dataclass(frozen=True)
class Import:
    module: str  # the module or object path imported
    where: Where


@dataclass(frozen=True)
class Text:
    value: str
    where: Where


@dataclass
class Facts:
    pieces: list[Piece] = field(default_factory=list)
    by_name: dict[str, list[Piece]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # names bound to a dotted path
    accesses: list[Access] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    asserts: list[tuple[ast.Assert, Where]] = field(default_factory=list)
    assigned: dict[int, set[str]] = field(default_factory=dict)  # id(def) -> names it assigns
    rebinders: dict[str, list[Piece]] = field(default_factory=dict)  # `global name` writers
    # Names assigned a constant string anywhere in the file (None: assigned something else),
    # so that `template.format(...)` is judged by the template it holds.
    texts_bound: dict[str, list[str | None]] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict)  # judgements made once per record
    # Top-level statements the grader skips unrun and unjudged, by line.
    not_run: dict[int, NotRun] = field(default_factory=dict)

    @property
    def functions(self) -> dict[str, FunctionNode]:
        """Each name whose last top-level binding is a def (or a lambda): as it is written."""
        found = {}
        for name, pieces in self.by_name.items():
            function = pieces[-1].function
            if function is not None:
                found[name] = function
        return found

    def binds(self, name: str) -> bool:
        return name in self.by_name

    def running(self, name: str, before: int = _END) -> list[Piece]:
        """The bindings of `name` that may be the one in force at `before`: the last
        unconditional one and every conditional one after it."""
        found = []
        for piece in reversed(self.by_name.get(name, [])):
            if piece.order >= before:
                continue
            found.append(piece)
            if not piece.conditional:
                break
        return found

    def reach(self, name: str) -> list[Piece]:
        """Every binding that what `name` is bound to reads, transitively, through names (not
        only calls: decorators, aliases, partials, values passed around)."""
        key = f"reach:{name}"
        found = self.memo.get(key)
        if not isinstance(found, list):
            found = self.memo[key] = self._reach(name)
        return found

    def _reach(self, name: str) -> list[Piece]:
        seen: dict[int, Piece] = {}
        todo = self.running(name) + self.rebinders.get(name, [])
        while todo:
            piece = todo.pop()
            if id(piece) in seen:
                continue
            seen[id(piece)] = piece
            for ref, later in piece.refs:
                todo += self.running(ref, _END if later else piece.order)
                todo += self.rebinders.get(ref, [])
        return sorted(seen.values(), key=lambda p: p.order)

    def recursive(self, piece: Piece) -> bool:
        """Whether the piece's functions call themselves again, directly or through others."""
        seen: set[int] = set()
        todo = [other for name in piece.called for other in self.running(name)]
        while todo:
            other = todo.pop()
            if other is piece:
                return True
            if id(other) not in seen:
                seen.add(id(other))
                todo += [more for name in other.called for more in self.running(name)]
        return False

    def aliased(self, name: str, existing: str) -> Facts:
        """The same record with `name` bound as `existing` is (a reference solution judged
        under the exercise's id)."""
        if existing not in self.by_name:
            return self
        by_name = {**self.by_name, name: self.by_name[existing]}
        return Facts(**{**self.__dict__, "by_name": by_name, "memo": {}})


def module_bindings(statements: Iterable[ast.AST]) -> dict[str, str]:
    """Names bound by imports to a dotted module or object path ('np' -> 'numpy')."""
    bound: dict[str, str] = {}
    for statement in statements:
        for node in ast.walk(statement):
            _bind_import(node, bound)
    return bound


def _bind_import(node: ast.AST, bound: dict[str, str]) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            top = alias.name.split(".")[0]
            bound[alias.asname or top] = alias.name if alias.asname else top
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        for alias in node.names:
            bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def dotted(node: ast.AST, bindings: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in bindings:
        return ".".join([bindings[node.id], *reversed(parts)])
    return None


def as_function(name: str, lam: ast.Lambda) -> ast.FunctionDef:
    """`f = lambda x: ...` seen as `def f(x): return ...`, so the same rules apply to it."""
    function = ast.FunctionDef(
        name=name, args=lam.args, body=[ast.Return(lam.body)], decorator_list=[], returns=None
    )
    return ast.copy_location(function, lam)


def import_aliases(statements: Sequence[ast.stmt]) -> dict[str, str]:
    """Imports, and plain names bound to an imported path (`t = torch`, `f = t.softmax`),
    anywhere in the file."""
    bound: dict[str, str] = {}
    plain: list[ast.Assign] = []
    for statement in statements:
        for node in ast.walk(statement):
            _bind_import(node, bound)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name | ast.Attribute):
                plain.append(node)
    for node in plain:
        path = dotted(node.value, bound)
        for target in node.targets:
            if path is not None and isinstance(target, ast.Name):
                bound.setdefault(target.id, path)
    return bound
