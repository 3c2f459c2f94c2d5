"""ShareGPT rows: `conversations` of {from, value} turns, an optional `system` column.

Used by OpenThoughts-114k and Bespoke-Stratos-17k (`system` holds the Sky-T1 prompt, turns are
`user`/`assistant`, the answer is wrapped in `<|begin_of_thought|>`/`<|begin_of_solution|>`
markers) and OpenThoughts3-1.2M (`human`/`gpt` turns, R1's `<think>` tags). Roles `human`/`gpt`
(and `system` inside the list) are renamed to ours; the markers become `<think>`; the system prompt
and a multi-turn chat's earlier turns stay whole (train-student, and the filter's output). These sets
carry no reference answer: traces are `general` unless the recipe says otherwise (`domain_map`, or
a `domain` column).
"""

from __future__ import annotations

from distill.formats import chat
from distill.formats.base import Bad, Format, text

ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}


def conversation(row: dict) -> list[dict]:
    if "conversations" not in row:
        raise Bad("missing column 'conversations'")
    messages = chat.turns(row["conversations"], "conversations", "from", "value", ROLES)
    system = text(row, "system", required=False)
    if system and system.strip():
        if messages[0]["role"] == "system":
            raise Bad("a `system` column and a system turn in 'conversations'")
        messages.insert(0, {"role": "system", "content": system})
    return chat.check_dialogue(messages, "conversations")


def traces(row: dict) -> list:
    out = chat.trace(conversation(row), "conversations")
    out["domain"] = text(row, "domain", required=False) or "general"
    return [out]


def prompt(row: dict) -> dict:
    messages = chat.turns(row.get("conversations"), "conversations", "from", "value", ROLES, convert=False)
    users = [m for m in messages if m["role"] == "user"]
    if len(users) != 1:
        raise Bad(f"column 'conversations': a prompt needs exactly one user turn, found {len(users)}")
    return {"problem": users[0]["content"], "answer": "", "domain": text(row, "domain", required=False) or "general"}


FORMAT = Format(
    "sharegpt",
    "open-thoughts/OpenThoughts-114k, bespokelabs/Bespoke-Stratos-17k, open-thoughts/OpenThoughts3-1.2M",
    ("conversations",),
    prompt=prompt,
    traces=traces,
    conversation=conversation,
)
