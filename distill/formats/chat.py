"""Chat rows: a `messages` list of {role, content} turns (TRL's conversational format).

The conversation is kept whole: every turn, system prompt included, in order (train-student).
As a trace (filter) the last user turn is the problem and the last assistant turn the completion
the filter's checks judge; the turns before them (system prompt, earlier exchanges) ride along as
`context` and come back, whole, in the filter's output. Assistant turns have their thought markers
turned into `<think>`.
"""

from __future__ import annotations

from typing import Any

from distill.formats import think
from distill.formats.base import Bad, Format, type_name

ROLES = ("system", "user", "assistant")


def turns(
    value,
    column: str = "messages",
    role_key: str = "role",
    content_key: str = "content",
    roles: dict[str, str] | None = None,
    convert: bool = True,
) -> list[dict]:
    """Validated turns as [{role, content}]; `roles` renames a dataset's role names to ours;
    `convert`: assistant turns get `<think>` (a prompt reads only the user turn, so it does not)."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if not isinstance(value, list):
        raise Bad(f"column '{column}': expected a list of turns, got {type_name(value)}")
    if not value:
        raise Bad(f"column '{column}' is empty")
    out = []
    for i, turn in enumerate(value):
        if not isinstance(turn, dict):
            raise Bad(f"column '{column}'[{i}]: expected an object, got {type_name(turn)}")
        role: Any = turn.get(role_key)
        content = turn.get(content_key)
        role = (roles or {}).get(role, role)
        if role not in ROLES:
            raise Bad(
                f"column '{column}'[{i}]: {role_key} {turn.get(role_key)!r} is not one of {', '.join(roles or ROLES)}"
            )
        if not isinstance(content, str):
            raise Bad(f"column '{column}'[{i}]: {content_key} must be a string, got {type_name(content)}")
        out.append({"role": role, "content": think.to_think(content) if convert and role == "assistant" else content})
    return out


def check_dialogue(messages: list[dict], column: str) -> list[dict]:
    body = messages[1:] if messages[0]["role"] == "system" else messages
    if any(m["role"] == "system" for m in body):
        raise Bad(f"column '{column}': a system turn after the first turn")
    if not body or body[0]["role"] != "user":
        raise Bad(f"column '{column}': the first turn after the system prompt is not the user's")
    if body[-1]["role"] != "assistant":
        raise Bad(f"column '{column}': the last turn is not the assistant's")
    for a, b in zip(body, body[1:]):
        if a["role"] == b["role"]:
            raise Bad(f"column '{column}': two {a['role']} turns in a row")
    return messages


def split_last(messages: list[dict], column: str) -> tuple[list[dict], str, str]:
    """(the turns before the last exchange, last user turn, last assistant turn) of a dialogue."""
    check_dialogue(messages, column)
    return messages[:-2], messages[-2]["content"], messages[-1]["content"]


def conversation(row: dict) -> list[dict]:
    return check_dialogue(turns(row.get("messages"), "messages"), "messages") if "messages" in row else _missing()


def _missing():
    raise Bad("missing column 'messages'")


def trace(messages: list[dict], column: str) -> dict:
    context, problem, completion = split_last(messages, column)
    out: dict[str, Any] = {"problem": problem, "answer": "", "domain": "general", "completion": completion}
    if context:
        out["context"] = context
    return out


def traces(row: dict) -> list:
    return [trace(conversation(row), "messages")]


def prompt(row: dict) -> dict:
    messages = turns(row.get("messages"), "messages", convert=False)
    users = [m for m in messages if m["role"] == "user"]
    if len(users) != 1:
        raise Bad(f"column 'messages': a prompt needs exactly one user turn, found {len(users)}")
    return {"problem": users[0]["content"], "answer": "", "domain": "general"}


FORMAT = Format(
    "chat",
    "TRL conversational rows (`messages`), distill filter output, NuminaMath-CoT's messages",
    ("messages",),
    prompt=prompt,
    traces=traces,
    conversation=conversation,
)
