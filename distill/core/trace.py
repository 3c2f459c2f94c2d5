"""The trace record (shared/DESIGN.md): one teacher completion of one problem, the row that
generate writes, filter reads and SFT trains on.

A source's `columns` (filter) maps these field names to its own; the string fields must be strings
(or missing, where a value can be derived) or the row is malformed.
"""

from __future__ import annotations

TRACE_FIELDS = (
    "id",
    "prompt_id",
    "problem",
    "answer",
    "domain",
    "completion",
    "finish_reason",
    "completion_tokens",
    "sample_index",
    "teacher",
    "tests",
    "messages",
)
STR_FIELDS = ("id", "prompt_id", "problem", "answer", "domain", "completion", "finish_reason", "teacher")


def trace_id(prompt_id: str, sample_index: int) -> str:
    """A trace's id: its prompt's id and which sample of that prompt it is."""
    return f"{prompt_id}:{sample_index}"


def split_trace_id(record_id: str) -> tuple[str, str]:
    """(prompt id, sample index text) of a trace id made by `trace_id` (prompt ids may hold ':')."""
    prompt_id, _, index = record_id.rpartition(":")
    return prompt_id, index
