"""Rules and hints from the prompt's wording: "using only X and Y" (only), "don't use X" and
"without X" (forbidden), "use X" (required), "no loops" (no_loops). Each rule keeps the
sentence it came from, so that the author can review it. Sentences in a "Hint:" or "Bonus:"
paragraph, or that say what one *can* do, are hints, not rules."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import cache

import einops
import torch
import torch.nn.functional

from tensorlings import rule_apis

_NAMESPACES = (torch, torch.Tensor, torch.nn.functional, einops)
_TOKEN = re.compile(r"`?((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)(\(\))?`?(\s+function)?")
_MODULES = {"torch", "t", "einops", "F", "nn", "functional", "Tensor"}
# Events the checker records for operations that are not calls (see docs/authoring.md).
_PHRASES = (
    (re.compile(r"integer[- ]array indexing", re.I), "integer-array indexing", "int_tensor_index"),
    (re.compile(r"\bassign (?:to|into)\b", re.IGNORECASE), "assigning into a tensor", "setitem"),
    (re.compile(r"boolean tensor and multiply|multiply .* by (?:a|the) bool", re.IGNORECASE),
     "multiplying by a boolean mask", "bool_mask_multiply"),
)  # fmt: skip
_LOOPS = re.compile(
    r"\b(?:without|no|(?:don'?t|do not|never) use)\s+(?:any\s+)?"
    r"(?:explicit\s+|python\s+|for\s+)?loops\b",
    re.I,
)
_PHRASE = r"((?:[^.;\n]|\.(?=\w))+)"  # up to the sentence's end; the dot of torch.x is kept
_ONLY = re.compile(r"\b(?:using only|only using|may only use|only use|use only)\s+" + _PHRASE, re.I)
_FORBID = re.compile(
    r"\b(?:don'?t|do not|never)\s+(?:use|call)\s+"
    + _PHRASE
    + r"|\bwithout\s+(?:using\s+)?"
    + _PHRASE,
    re.I,
)
_REQUIRE = re.compile(r"(?:^|[.:,]\s+|\b(?:and|but)\s+)(?:use|call|pass)\s+" + _PHRASE, re.I)
_IMPERATIVE = re.compile(r"^(?:make|create|build|compute|perform|do|write|implement)\b", re.I)
_WITH = re.compile(r"\b(?:with|using)\s+" + _PHRASE, re.I)


class RuleKind(enum.Enum):
    REQUIRED = "required"
    FORBIDDEN = "forbidden"
    ONLY = "only"
    NO_LOOPS = "no_loops"


@dataclass(frozen=True)
class InferredRule:
    kind: RuleKind
    label: str  # what the learner reads: "torch.arange"
    name: str  # the call name the checker records: "arange"
    sentence: str


def rules_from(prompt: str) -> list[InferredRule]:
    rules: list[InferredRule] = []
    for sentence in _rule_sentences(prompt):
        if _LOOPS.search(sentence):
            rules.append(InferredRule(RuleKind.NO_LOOPS, "no Python loops", "", sentence))
        only = _ONLY.search(sentence)
        if only:
            rules += [
                InferredRule(RuleKind.ONLY, label, name, sentence)
                for label, name in _apis(only.group(1))
            ]
            continue
        forbid = _FORBID.search(sentence)
        banned = _apis(forbid.group(1) or forbid.group(2)) if forbid else []
        if banned:
            rules += [
                InferredRule(RuleKind.FORBIDDEN, label, name, sentence) for label, name in banned
            ]
            continue
        require = _REQUIRE.search(sentence)
        if require:
            found = _apis(require.group(1)) + _events(require.group(1))
            rules += [
                InferredRule(RuleKind.REQUIRED, label, name, sentence) for label, name in found
            ]
        elif _IMPERATIVE.match(sentence):
            # "Make a copy with torch.clone and then assign to parts of it": the tools named
            # in an instruction are required.
            with_ = _WITH.search(sentence)
            found = (_apis(with_.group(1)) if with_ else []) + _events(sentence)
            rules += [
                InferredRule(RuleKind.REQUIRED, label, name, sentence) for label, name in found
            ]
    return _unique(rules)


def rules_from_name(function: str) -> list[InferredRule]:
    """A function named after a computation torch already has (`softmax_rows`, `my_relu`,
    `eye_matrix`) asks the learner to build it: the calls that compute it are forbidden."""
    found = []
    for concept in rule_apis.Concept:
        word = concept.name.lower()
        if re.search(rf"(?:^|_|[a-z]){word}(?:$|_)", function) and word != "sampling":
            sentence = f"the function's name, {function}, names {word}"
            found.append(InferredRule(RuleKind.FORBIDDEN, word, concept.value, sentence))
    return found


def hint_sentences(prompt: str) -> list[str]:
    """Sentences that help rather than rule: a "Hint:" paragraph, "you can ...", "try ..."."""
    found = []
    for paragraph in _paragraphs(prompt):
        if re.match(r"^(?:hint|tip|note)s?\s*:", paragraph, re.IGNORECASE):
            found.append(re.sub(r"^\w+\s*:\s*", "", paragraph))
        else:
            found += [s for s in _sentences(paragraph) if re.match(r"^(?:you can|try)\b", s, re.I)]
    return found


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph) if s.strip()]


def _rule_sentences(prompt: str) -> list[str]:
    return [
        sentence
        for paragraph in _paragraphs(prompt)
        if not re.match(r"^(?:hint|tip|note|bonus|see|https?)\b", paragraph, re.IGNORECASE)
        for sentence in _sentences(paragraph)
        if not re.match(r"^(?:you can|try)\b", sentence, re.IGNORECASE)
    ]


def _apis(phrase: str) -> list[tuple[str, str]]:
    """The torch/einops calls a phrase names: dotted (`torch.eye`, `einops.rearrange`), with
    parentheses (`gather()`), or followed by the word "function" ("the softmax function")."""
    found = []
    for match in _TOKEN.finditer(phrase):
        token, called, function_word = match.group(1), match.group(2), match.group(3)
        parts = token.split(".")
        if len(parts) == 1 and not (called or function_word or match.group(0).startswith("`")):
            continue
        if len(parts) > 1 and parts[0] not in _MODULES:
            continue
        name = api_name(parts[-1])
        if name:
            label = token if len(parts) > 1 else name
            found.append(
                (label.replace("t.", "torch.", 1) if label.startswith("t.") else label, name)
            )
    return found


def _events(phrase: str) -> list[tuple[str, str]]:
    return [(label, event) for pattern, label, event in _PHRASES if pattern.search(phrase)]


@cache
def api_name(word: str) -> str | None:
    """The name the checker records for `word`, if torch, Tensor, functional or einops has it
    (spelled with or without underscores: "logsoftmax" is log_softmax)."""
    if any(hasattr(space, word) for space in _NAMESPACES) and not word.startswith("_"):
        return word
    squashed = word.replace("_", "").lower()
    for space in _NAMESPACES:
        for attr in dir(space):
            if not attr.startswith("_") and attr.replace("_", "").lower() == squashed:
                return attr
    return None


def _unique(rules: list[InferredRule]) -> list[InferredRule]:
    seen, out = set(), []
    for rule in rules:
        if (rule.kind, rule.name) not in seen:
            seen.add((rule.kind, rule.name))
            out.append(rule)
    return out
