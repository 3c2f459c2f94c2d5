"""truncated: the teacher ran out of tokens (finish_reason == "length"); the thought never ended."""

from __future__ import annotations

from typing import Any

from distill.filter.reject import Decision, Reject

REASON = "truncated"


def check(rec: dict[str, Any]) -> Decision:
    if rec.get("finish_reason") == "length":
        return Reject(REASON, f"finish_reason=length after {rec.get('completion_tokens')} tokens")
    return None
