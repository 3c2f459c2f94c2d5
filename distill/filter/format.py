"""format: exactly one well-formed <think>…</think> block at the start and a non-empty answer after it.

Leading whitespace is allowed. When generation forced `<think>\\n` into the prompt, the completion
starts inside the thought with no opening tag; `allow_forced_prefix` accepts that. General (chat)
data may have no thought at all unless `general_requires_think`.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from distill.core.think import THINK_CLOSE as CLOSE, THINK_OPEN as OPEN, join_think, split_think
from distill.filter.config import FormatConfig
from distill.filter.reject import Decision, Reject

REASON = "format"


class Parts(NamedTuple):
    think: str | None  # None: no thought (allowed for general data only)
    answer: str


# Both tags end in this, and neither can overlap itself or the other's copy of it.
_TAG_END = "think>"


def tag_counts(text: str) -> tuple[int, int]:
    """(`text.count(OPEN)`, `text.count(CLOSE)`), in one scan of the text for the usual shapes
    (each count is a scan of the whole trace): when "think>" occurs only as often as the tags found
    at the start and at the end, there are no other tags."""
    if text.rfind(CLOSE) >= 0:  # from the end: the answer after it is short
        ends = text.count(_TAG_END)
        if ends == 1:  # the </think>'s own
            return 0, 1
        if ends == 2 and text.startswith(OPEN):  # the leading <think>'s and the </think>'s
            return 1, 1
    return text.count(OPEN), text.count(CLOSE)


def _untagged(text: str) -> bool:
    """Neither tag in `text`: in one scan where "think>" is not there at all (most general answers)."""
    return _TAG_END not in text or (text.rfind(CLOSE) < 0 and OPEN not in text)


def _tags_wrong(text: str, opens: int, closes: int, allow_forced_prefix: bool) -> str | None:
    """What is wrong with the tags of a left-stripped completion, or None for one block."""
    if closes == 0:
        return "no </think>" if opens else "no <think> block"
    if closes > 1 or opens > 1:
        return f"{opens} <think> and {closes} </think> tags; expected one block"
    if opens == 1 and not text.startswith(OPEN):
        return "<think> is not at the start"
    if opens == 0 and not allow_forced_prefix:
        return "no opening <think>"
    return None


def split(completion: str, allow_forced_prefix: bool = True) -> Parts | str:
    """The thought and the answer, or a string saying what is wrong."""
    text = completion.lstrip()
    wrong = _tags_wrong(text, *tag_counts(text), allow_forced_prefix)
    if wrong is not None:
        return wrong
    think, answer = split_think(text)  # one block: the last </think> is the only one
    assert think is not None and answer is not None  # not None: the text holds a </think>
    if not think.strip():
        return "empty <think> block"
    if not answer.strip():
        return "no final answer after </think>"
    return Parts(think.strip(), answer.strip())


# \s is exactly what str.strip() strips (both ask Py_UNICODE_ISSPACE).
_SPACES = re.compile(r"\s*")


def _blank(text: str, start: int, end: int) -> bool:
    """`not text[start:end].strip()` without copying the slice (a thought is most of the trace)."""
    match = _SPACES.match(text, start, end)
    assert match is not None  # \s* matches the empty string too
    return match.end() == end


def fault(completion: str, allow_forced_prefix: bool = True) -> str | None:
    """What `split` would say is wrong, or None where it would give the parts: the filter's verdict
    without the copies of the thought that building the parts costs."""
    text = completion.lstrip()
    opens, closes = tag_counts(text)
    wrong = _tags_wrong(text, opens, closes, allow_forced_prefix)
    if wrong is not None:
        return wrong
    # One block, so as split_think cuts it: the thought runs from after the <think> at the start
    # (when there is one) to the only </think>, the answer from there to the end.
    at = text.rfind(CLOSE)
    if _blank(text, len(OPEN) if opens else 0, at):
        return "empty <think> block"
    if _blank(text, at + len(CLOSE), len(text)):
        return "no final answer after </think>"
    return None


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
        if rec["domain"] == "general" and not self.config.general_requires_think and _untagged(completion):
            return Parts(None, completion.strip()) if completion.strip() else "empty completion"
        return split(completion, self.config.allow_forced_prefix)

    def fault(self, rec: dict[str, Any]) -> str | None:
        """What `parts` would say is wrong, or None (see `fault`)."""
        completion = rec["completion"]
        if rec["domain"] == "general" and not self.config.general_requires_think and _untagged(completion):
            return "empty completion" if _blank(completion, 0, len(completion)) else None
        return fault(completion, self.config.allow_forced_prefix)

    def __call__(self, rec: dict[str, Any]) -> Decision:
        wrong = self.fault(rec)
        return Reject(REASON, wrong) if wrong is not None else None
