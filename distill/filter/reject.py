"""What a filter returns: None to keep a record, or a Reject naming the filter and why."""

from __future__ import annotations

from typing import NamedTuple


class Reject(NamedTuple):
    reason: str  # the filter's name: format, truncated, correctness, length, language, ...
    detail: str  # one line a person can act on


Decision = Reject | None
