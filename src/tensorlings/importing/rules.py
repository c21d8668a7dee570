"""Turn the rules read from a prompt into `Rules(...)` source, checked against the reference
where there is one: a rule its own reference would break is not applied, only shown in a
comment, since the wording was a guess and the reference is the author's word."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tensorlings import rule_apis
from tensorlings.importing.wording import InferredRule, RuleKind, api_name

# Spellings the recorder keeps apart that a required rule should accept alike.
_ALIASES = {
    "abs": ("abs", "absolute"),
    "maximum": ("maximum", "max"),
    "minimum": ("minimum", "min"),
    # max(dim=...) and min(dim=...) return the arg-extremum as their indices
    "argmax": ("argmax", "max"),
    "argmin": ("argmin", "min"),
    # An operator is recorded under its symbol (rule_apis.OPERATORS), apart from the function
    # behind it: "use multiplication" is met by `x * y` as much as by torch.mul.
    "mul": ("mul", "multiply", "*"),
    "div": ("div", "divide", "true_divide", "/"),
    "add": ("add", "+"),
    "sub": ("sub", "subtract", "-"),
    "matmul": ("matmul", "@"),
    "clone": ("clone",),
    # "multiply the input by a boolean tensor": a float copy of the mask multiplies as well
    "bool_mask_multiply": ("bool_mask_multiply", "mul", "multiply", "*"),
}


@dataclass
class RulesSource:
    source: str | None = None  # `Rules(...)`, or None for no rules
    comments: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def reference_calls(node: ast.AST | None) -> tuple[set[str], bool]:
    """The torch/einops names a reference calls (statically), and whether it loops."""
    if node is None:
        return set(), False
    names: set[str] = set()
    loops = False
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            word = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            resolved = api_name(word) if word else None
            if resolved:
                names.add(resolved)
        loops = loops or isinstance(
            child, (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)
        )
    return names, loops


def _concept(name: str) -> rule_apis.Concept | None:
    for concept in rule_apis.Concept:
        if concept.value == name:
            return concept
    for concept, names in rule_apis.COMPUTES.items():
        if name in names:
            return concept
    return None


class _Builder:
    """Collects the `Rules(...)` arguments, each rule checked against the reference's calls."""

    def __init__(self, reference: ast.AST | None) -> None:
        self.calls, self.loops = reference_calls(reference)
        self.have = reference is not None
        self.required: list[str] = []
        self.forbidden: list[str] = []
        self.only: list[InferredRule] = []
        self.no_loops = False
        self.concepts: set[rule_apis.Concept] = set()
        self.comments: list[str] = []

    def add(self, rule: InferredRule) -> None:
        why = f'inferred from "{_short(rule.sentence)}"'
        if rule.kind is RuleKind.ONLY:
            self.only.append(rule)
            return
        if rule.kind is RuleKind.NO_LOOPS:
            applied = self._no_loops(why)
        elif rule.kind is RuleKind.REQUIRED:
            applied = self._required(rule, why)
        else:
            applied = self._forbidden(rule, why)
        if applied:
            self.comments.append(f"{rule.kind.value}: {rule.label}, {why}")

    def _no_loops(self, why: str) -> bool:
        if self.have and self.loops:
            self.comments.append(f"not applied: no loops ({why}): the reference loops")
            return False
        self.no_loops = True
        return True

    def _required(self, rule: InferredRule, why: str) -> bool:
        names = _ALIASES.get(rule.name, (rule.name,))
        event = rule.name in ("setitem", "int_tensor_index", "bool_mask_multiply")
        if self.have and not event and not self.calls & set(names):
            self.comments.append(
                f"not applied: must call {rule.label} ({why}): the reference does not call it"
            )
            return False
        self.required.append(f"Call({rule.label!r}, {names!r})")
        return True

    def _forbidden(self, rule: InferredRule, why: str) -> bool:
        concept = _concept(rule.name)
        if concept is not None and concept in self.concepts:
            return False  # "torch.eye" and a function named eye_matrix forbid the same calls
        if concept is not None:
            self.concepts.add(concept)
        names = tuple(rule_apis.names(concept)) if concept else (rule.name,)
        if self.have and self.calls & set(names):
            self.comments.append(f"not applied: no {rule.label} ({why}): the reference calls it")
            return False
        spelled = f"rule_apis.names(Concept.{concept.name})" if concept else repr(names)
        label = f"{rule.label} (or a built-in that computes it)" if concept else rule.label
        self.forbidden.append(f"Call({label!r}, {spelled})")
        return True

    def only_names(self) -> tuple[str, ...] | None:
        """The `only` list, or None when there is none or the reference breaks it."""
        if not self.only:
            return None
        names = tuple(dict.fromkeys(r.name for r in self.only))
        extra = self.calls - set(names)
        if self.have and extra:
            self.comments.append(
                f"not applied: only {', '.join(names)}: the reference also calls "
                f"{', '.join(sorted(extra))}"
            )
            return None
        self.required += [f"Call({r.label!r}, ({r.name!r},))" for r in self.only]
        self.comments.append(
            f"only {', '.join(names)} (each required), inferred from "
            f'"{_short(self.only[0].sentence)}"'
        )
        return names


def build_rules(rules: list[InferredRule], reference: ast.AST | None) -> RulesSource:
    builder = _Builder(reference)
    for rule in rules:
        builder.add(rule)
    only = builder.only_names()
    parts = []
    if builder.required:
        parts.append(f"required=({', '.join(builder.required)},)")
    if builder.forbidden:
        parts.append(f"forbidden=({', '.join(builder.forbidden)},)")
    if only:
        parts.append(f"only={only!r}")
    if builder.no_loops:
        parts.append("no_loops=True")
    source = f"Rules({', '.join(parts)})" if parts else None
    return RulesSource(source, builder.comments, list(builder.comments))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."
