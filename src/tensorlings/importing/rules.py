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
    "mul": ("mul", "multiply"),
    "clone": ("clone",),
    # "multiply the input by a boolean tensor": a float copy of the mask multiplies as well
    "bool_mask_multiply": ("bool_mask_multiply", "mul", "multiply"),
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


def build_rules(rules: list[InferredRule], reference: ast.AST | None) -> RulesSource:
    out = RulesSource()
    calls, loops = reference_calls(reference)
    have = reference is not None
    required, forbidden, only = [], [], []
    no_loops = False
    concepts: set[rule_apis.Concept] = set()
    for rule in rules:
        why = f'inferred from "{_short(rule.sentence)}"'
        if rule.kind is RuleKind.NO_LOOPS:
            if have and loops:
                out.comments.append(f"not applied: no loops ({why}): the reference loops")
                continue
            no_loops = True
        elif rule.kind is RuleKind.ONLY:
            only.append(rule)
            continue
        elif rule.kind is RuleKind.REQUIRED:
            names = _ALIASES.get(rule.name, (rule.name,))
            event = rule.name in ("setitem", "int_tensor_index", "bool_mask_multiply")
            if have and not event and not calls & set(names):
                out.comments.append(
                    f"not applied: must call {rule.label} ({why}): the reference does not call it"
                )
                continue
            required.append(f"Call({rule.label!r}, {names!r})")
        else:
            concept = _concept(rule.name)
            if concept is not None and concept in concepts:
                continue  # "torch.eye" and the name identity_matrix forbid the same calls
            if concept is not None:
                concepts.add(concept)
            names = tuple(rule_apis.names(concept)) if concept else (rule.name,)
            if have and calls & set(names):
                out.comments.append(f"not applied: no {rule.label} ({why}): the reference calls it")
                continue
            spelled = f"rule_apis.names(Concept.{concept.name})" if concept else repr(names)
            label = f"{rule.label} (or a built-in that computes it)" if concept else rule.label
            forbidden.append(f"Call({label!r}, {spelled})")
        out.comments.append(f"{rule.kind.value}: {rule.label}, {why}")
    if only:
        names = tuple(dict.fromkeys(r.name for r in only))
        extra = calls - set(names)
        if have and extra:
            out.comments.append(
                f"not applied: only {', '.join(names)}: the reference also calls "
                f"{', '.join(sorted(extra))}"
            )
        else:
            required += [f"Call({r.label!r}, ({r.name!r},))" for r in only]
            out.comments.append(
                f"only {', '.join(names)} (each required), inferred from "
                f'"{_short(only[0].sentence)}"'
            )
    parts = []
    if required:
        parts.append(f"required=({', '.join(required)},)")
    if forbidden:
        parts.append(f"forbidden=({', '.join(forbidden)},)")
    if only and not any("not applied: only" in c for c in out.comments):
        parts.append(f"only={tuple(dict.fromkeys(r.name for r in only))!r}")
    if no_loops:
        parts.append("no_loops=True")
    out.source = f"Rules({', '.join(parts)})" if parts else None
    out.notes = [c for c in out.comments]
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."
