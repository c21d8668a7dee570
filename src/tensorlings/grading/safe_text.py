"""Text from learner code made safe to show: control characters become visible escapes.

An ANSI escape in a printed line or an exception message would otherwise recolour, move the
cursor or rewrite the instructor's terminal, and bidirectional overrides can make a report's
text read differently from what it holds. Newlines and tabs are kept. A lone surrogate (from a
notebook's JSON or a file name that is not UTF-8) is escaped too: no file or terminal can hold it.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """`text` with every control character written as `\\xNN` (newline and tab kept)."""
    return _CONTROL.sub(_visible, text)


def escaped(value: Any) -> Any:
    """The same JSON data with every string (keys too) passed through safe_text."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(str(k)): escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escaped(v) for v in value]
    return value
