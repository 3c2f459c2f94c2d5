"""format: exactly one well-formed <think>…</think> block at the start and a non-empty answer after it.

Leading whitespace is allowed. When generation forced `<think>\\n` into the prompt, the completion
starts inside the thought with no opening tag; `allow_forced_prefix` accepts that. General (chat)
data may have no thought at all unless `general_requires_think`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from distill.core.think import THINK_CLOSE as CLOSE, THINK_OPEN as OPEN, join_think, split_think
from distill.filter.config import FormatConfig
from distill.filter.reject import Decision, Reject

REASON = "format"


class Parts(NamedTuple):
    think: str | None  # None: no thought (allowed for general data only)
    answer: str


def split(completion: str, allow_forced_prefix: bool = True) -> Parts | str:
    """The thought and the answer, or a string saying what is wrong."""
    text = completion.lstrip()
    opens, closes = text.count(OPEN), text.count(CLOSE)
    if closes == 0:
        return "no </think>" if opens else "no <think> block"
    if closes > 1 or opens > 1:
        return f"{opens} <think> and {closes} </think> tags; expected one block"
    if opens == 1 and not text.startswith(OPEN):
        return "<think> is not at the start"
    if opens == 0 and not allow_forced_prefix:
        return "no opening <think>"
    think, answer = split_think(text)  # one block: the last </think> is the only one
    assert think is not None and answer is not None  # not None: the text holds a </think>
    if not think.strip():
        return "empty <think> block"
    if not answer.strip():
        return "no final answer after </think>"
    return Parts(think.strip(), answer.strip())


def assistant_content(parts: Parts) -> str:
    """The assistant turn as the student learns it: the thought block, a blank line, the answer."""
    if parts.think is None:
        return parts.answer
    return join_think(parts.think, parts.answer)


class FormatFilter:
    def __init__(self, config: FormatConfig):
        self.config = config

    def parts(self, rec: dict[str, Any]) -> Parts | str:
        completion = rec["completion"]
        if (
            rec["domain"] == "general"
            and not self.config.general_requires_think
            and CLOSE not in completion
            and OPEN not in completion
        ):
            return Parts(None, completion.strip()) if completion.strip() else "empty completion"
        return split(completion, self.config.allow_forced_prefix)

    def __call__(self, rec: dict[str, Any]) -> Decision:
        parts = self.parts(rec)
        return Reject(REASON, parts) if isinstance(parts, str) else None
