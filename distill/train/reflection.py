"""Reflection phrases: the "aha moment" R1-Zero reported, made countable.

During R1-Zero's RL the model started to re-check itself ("Wait, wait. Wait. That's an aha moment I
can flag here."), and the rate of such phrases rose with response length. We count them per
completion so the rate can be logged per step and plotted next to the length curve.
"""

from __future__ import annotations

import re

# Whole-word, case-insensitive. Kept to phrases that signal re-checking, not ordinary connectives.
REFLECTION_PHRASES = (
    "wait",
    "let me check",
    "let me verify",
    "let me double-check",
    "let me double check",
    "let me re-check",
    "let me recheck",
    "let me reconsider",
    "let me re-examine",
    "let me think again",
    "let me re-evaluate",
    "verify",
    "verifying",
    "re-examine",
    "reexamine",
    "re-evaluate",
    "reevaluate",
    "recheck",
    "re-check",
    "double-check",
    "double check",
    "on second thought",
    "hold on",
    "i made a mistake",
    "that's not right",
    "that is not right",
    "aha",
)

_PATTERN = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(REFLECTION_PHRASES, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def reflection_count(text: str) -> int:
    """How many reflection phrases occur in `text` (non-overlapping, longest phrase first)."""
    return len(_PATTERN.findall(text or ""))


def has_reflection(text: str) -> bool:
    return _PATTERN.search(text or "") is not None
