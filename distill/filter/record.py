"""Turn one input row into a trace record (shared/DESIGN.md), or say why it is malformed.

A source may name its columns differently (`columns`: trace field -> its column) and lack fields
(`defaults`). A chat dataset in `messages` form (user turn then assistant turn) is read as
problem = first user message, completion = last assistant message. Fields that a record can live
without get derived values: id from the source and line, prompt_id from the problem text.
Anything else missing or of the wrong type makes the row malformed: it goes to the quarantine.
"""

from __future__ import annotations

import hashlib
from typing import Any

from distill.filter.config import DOMAINS, TraceSourceConfig

STR_FIELDS = ("id", "prompt_id", "problem", "answer", "domain", "completion", "finish_reason", "teacher")


def problem_key(problem: str) -> str:
    return hashlib.sha1(problem.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _from_messages(messages: Any) -> tuple[str | None, str | None, str | None]:
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return None, None, "messages: expected a list of {role, content} objects"
    users = [m.get("content") for m in messages if m.get("role") == "user"]
    assistants = [m.get("content") for m in messages if m.get("role") == "assistant"]
    if not users or not assistants:
        return None, None, "messages: needs a user and an assistant turn"
    return users[0], assistants[-1], None


def normalize(data: dict[str, Any], source: TraceSourceConfig, source_name: str, line: int) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) or (None, reason)."""
    rec: dict[str, Any] = {}
    for name in ("id", "prompt_id", "problem", "answer", "domain", "completion", "finish_reason",
                 "completion_tokens", "sample_index", "teacher", "tests", "messages"):
        column = source.columns.get(name, name)
        value = data.get(column)
        if value is None:
            value = source.defaults.get(name)
        rec[name] = value
    messages = rec.pop("messages")
    if rec["finish_reason"] == "error" or data.get("error"):  # generate's failed-sample record
        return None, f"generation error record: {str(data.get('error') or 'unknown error')[:200]}"
    if isinstance(rec["answer"], (int, float)) and not isinstance(rec["answer"], bool):
        rec["answer"] = str(rec["answer"])  # numeric answers in JSON (42) are read as their text
    if (rec["problem"] is None or rec["completion"] is None) and messages is not None:
        problem, completion, error = _from_messages(messages)
        if error:
            return None, error
        rec["problem"] = rec["problem"] if rec["problem"] is not None else problem
        rec["completion"] = rec["completion"] if rec["completion"] is not None else completion
    for name in ("problem", "completion", "domain"):
        if rec[name] is None:
            column = source.columns.get(name, name)
            return None, f"missing field '{column}'" + (f" (trace field '{name}')" if column != name else "")
    for name in STR_FIELDS:
        if rec[name] is not None and not isinstance(rec[name], str):
            return None, f"field '{source.columns.get(name, name)}': expected a string, got {type(rec[name]).__name__}"
    if rec["domain"] not in DOMAINS:
        return None, f"field 'domain': {rec['domain']!r} is not one of {', '.join(DOMAINS)}"
    if rec["answer"] is None:
        if rec["domain"] != "general":
            return None, f"missing field '{source.columns.get('answer', 'answer')}' (needed for domain {rec['domain']})"
        rec["answer"] = ""
    for name in ("completion_tokens", "sample_index"):
        value = rec[name]
        if isinstance(value, str) and value.isdigit():  # defaults are strings
            value = rec[name] = int(value)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return None, f"field '{source.columns.get(name, name)}': expected a non-negative integer, got {value!r}"
    tests = rec["tests"]
    if tests is not None and not (isinstance(tests, list) and all(isinstance(t, dict) for t in tests)):
        return None, "field 'tests': expected a list of {input, output} objects"
    for name in ("problem", "completion"):
        try:
            rec[name].encode("utf-8")
        except UnicodeEncodeError:
            return None, f"field '{name}': bad encoding (lone surrogate)"
    if rec["prompt_id"] is None:
        rec["prompt_id"] = problem_key(rec["problem"])
    if rec["sample_index"] is None:
        rec["sample_index"] = 0
    if rec["id"] is None:
        rec["id"] = f"{source_name}:{line}"
    rec["teacher"] = rec["teacher"] or "unknown"
    rec["finish_reason"] = rec["finish_reason"] or "unknown"
    rec["source"] = source_name
    return rec, None
