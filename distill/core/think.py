"""The reasoning tags and the one rule for splitting a trace on them.

A trace is `<think>reasoning</think>final answer`. The final answer is what follows the LAST
`</think>`; no `</think>` means no final answer, so an answer that only appears inside the reasoning
never counts (verifiers, rewards, filters and eval all read it this way).
"""

from __future__ import annotations

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
THINK_TAGS = (THINK_OPEN, THINK_CLOSE)
# Forced into a prompt so the model cannot skip its reasoning (R1's advice).
THINK_PREFIX = THINK_OPEN + "\n"


def split_at_close(text: str) -> tuple[str, str] | None:
    """(everything before the last `</think>`, the final answer after it); None without `</think>`.
    The part before still holds the opening tag: `split_think` removes it."""
    head, sep, tail = text.rpartition(THINK_CLOSE)
    return (head, tail) if sep else None


def split_think(text: str) -> tuple[str | None, str | None]:
    """(reasoning, final answer text); (None, None) without `</think>`. The reasoning is what
    precedes the last `</think>`, minus the opening tag when there is one."""
    parts = split_at_close(text)
    if parts is None:
        return None, None
    head, tail = parts
    start = head.find(THINK_OPEN)
    return (head[start + len(THINK_OPEN) :] if start >= 0 else head), tail


def final_text(text: str) -> str | None:
    """The text after the last `</think>`, None without one (one rfind: linear, no copy of the head)."""
    at = text.rfind(THINK_CLOSE)
    return None if at < 0 else text[at + len(THINK_CLOSE) :]


def join_think(reasoning: str, answer: str) -> str:
    """The canonical trace shape: `<think>\\n{reasoning}\\n</think>\\n\\n{answer}` (callers strip)."""
    return f"{THINK_OPEN}\n{reasoning}\n{THINK_CLOSE}\n\n{answer}"
