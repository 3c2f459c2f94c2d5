"""Reading a GRPO completion the way the rest of distill reads a trace.

TRL hands reward functions either plain strings (text prompts) or conversations (a list of
messages, the assistant's reply last). Templates such as R1-Zero's or a chat template that opens
`<think>` in the generation prompt leave the opening tag in the *prompt*, so the completion starts
inside the reasoning; `full_text` puts that tag back so every reward sees `<think>…</think>answer`.
"""

from __future__ import annotations

from typing import Any

from distill.core.think import THINK_CLOSE, THINK_OPEN, split_think  # noqa: F401  (re-exported for the rewards)


def message_text(item: Any) -> str:
    """The text of a prompt or completion: a string as is; a conversation's last message content."""
    if item is None:
        return ""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return message_text(item.get("content"))
    if isinstance(item, list):
        if not item:
            return ""
        last = item[-1]
        if isinstance(last, dict):
            content = last.get("content", "")
            if isinstance(content, list):  # multimodal-style content parts
                return "".join(part.get("text", "") for part in content if isinstance(part, dict))
            return content if isinstance(content, str) else str(content)
        return "".join(str(part) for part in item)
    return str(item)


def prompt_opens_think(prompt: Any) -> bool:
    """True when the prompt itself ends with an open `<think>` (the model continues inside it)."""
    text = message_text(prompt).rstrip()
    return text.endswith(THINK_OPEN)


def full_text(prompt: Any, completion: Any) -> str:
    """The completion as a whole trace: `<think>` restored when the prompt opened it."""
    text = message_text(completion)
    if prompt_opens_think(prompt) and not text.lstrip().startswith(THINK_OPEN):
        return THINK_OPEN + text
    return text


def column(kwargs: dict[str, Any], name: str, n: int, default: Any = None) -> list[Any]:
    """A dataset column TRL passed through kwargs, or `default` per row when the dataset lacks it."""
    values = kwargs.get(name)
    if values is None:
        return [default] * n
    return list(values)
