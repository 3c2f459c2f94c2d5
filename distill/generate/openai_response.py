"""Check an OpenAI-compatible server's answer before anything of it is used: trust nothing.

A server may be buggy, overloaded, a proxy's error page or hostile. So a response body is taken
only when it is small enough for what was asked (`response_cap`), valid UTF-8 JSON of bounded
nesting, a mapping whose `choices` is a list of exactly `n` mappings with distinct indices in
0..n-1, each with a text (`text`, or a chat `message` with string `content` /
`reasoning_content`) no longer than `max_tokens` tokens can be, a string `finish_reason`, and
`usage` counts that are non-negative integers within what was asked. Anything else raises
BadResponse with the reason; the engine turns it into error records (and retries), never a
traceback and never a stored completion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from distill.core.think import THINK_CLOSE

# Bytes one generated token can take in a response body: a token is rarely over 16 characters,
# and JSON may escape each character as \uXXXX (6 bytes); reasoning and content both count.
BYTES_PER_TOKEN = 64
BASE_BYTES = 256 << 10  # ids, usage, the rest of the envelope; error pages
CHARS_PER_TOKEN = 32  # a text longer than max_tokens * this cannot be max_tokens tokens


class BadResponse(Exception):
    """The server's answer cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class Choice:
    text: str
    finish_reason: str


@dataclass(frozen=True)
class Response:
    choices: list[Choice]
    prompt_tokens: int
    completion_tokens: int


def response_cap(n: int, max_tokens: int) -> int:
    """The most bytes a response for n samples of at most max_tokens tokens may have."""
    return BASE_BYTES + n * max_tokens * BYTES_PER_TOKEN


def parse_body(raw: bytes, n: int, max_tokens: int) -> Response:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadResponse(f"body is not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise BadResponse("body is JSON nested too deeply") from None
    except ValueError as exc:
        raise BadResponse(f"body is not JSON ({str(exc)[:120]})") from None
    if not isinstance(data, dict):
        raise BadResponse(f"body is a JSON {type(data).__name__}, expected an object")
    prompt_tokens, completion_tokens = _usage(data.get("usage"), n, max_tokens)
    return Response(_choices(data.get("choices"), n, max_tokens), prompt_tokens, completion_tokens)


def _usage(usage: Any, n: int, max_tokens: int) -> tuple[int, int]:
    if usage is None:
        return 0, 0
    if not isinstance(usage, dict):
        raise BadResponse(f"usage is a {type(usage).__name__}, expected an object")
    prompt = _count(usage, "prompt_tokens")
    completion = _count(usage, "completion_tokens")
    if completion > n * max_tokens:
        raise BadResponse(f"usage.completion_tokens {completion} is more than n x max_tokens = {n * max_tokens}")
    return prompt, completion


def _count(usage: dict, key: str) -> int:
    value = usage.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadResponse(f"usage.{key} is {_show(value)}, expected a count")
    if value < 0:
        raise BadResponse(f"usage.{key} is negative ({value})")
    return value


def _choices(choices: Any, n: int, max_tokens: int) -> list[Choice]:
    if not isinstance(choices, list):
        raise BadResponse(f"choices is {_show(choices)}, expected a list")
    if len(choices) != n:
        raise BadResponse(f"asked for {n} choices, server returned {len(choices)}")
    placed: dict[int, Choice] = {}
    for position, choice in enumerate(choices):
        if not isinstance(choice, dict):
            raise BadResponse(f"choices[{position}] is {_show(choice)}, expected an object")
        index = choice.get("index", position)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n or index in placed:
            raise BadResponse(f"choices[{position}].index is {_show(index)}, expected a distinct 0..{n - 1}")
        reason = choice.get("finish_reason") or "stop"
        if not isinstance(reason, str):
            raise BadResponse(f"choices[{position}].finish_reason is {_show(reason)}, expected a string")
        text = _text(choice, position)
        if len(text) > max_tokens * CHARS_PER_TOKEN:
            raise BadResponse(f"choices[{position}] has {len(text)} characters, more than {max_tokens} tokens can hold")
        placed[index] = Choice(text, reason)
    return [placed[i] for i in range(n)]


def _text(choice: dict, position: int) -> str:
    if "text" in choice:
        text = choice["text"]
        if not isinstance(text, str):
            raise BadResponse(f"choices[{position}].text is {_show(text)}, expected a string")
        return text
    message = choice.get("message")
    if not isinstance(message, dict):
        raise BadResponse(f"choices[{position}] has neither text nor a message object")
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    content = message.get("content")
    if reasoning is not None and not isinstance(reasoning, str):
        raise BadResponse(f"choices[{position}].message.reasoning_content is {_show(reasoning)}, expected a string")
    if content is None and not reasoning:
        raise BadResponse(f"choices[{position}].message.content is null")
    if content is not None and not isinstance(content, str):
        raise BadResponse(f"choices[{position}].message.content is {_show(content)}, expected a string")
    content = content or ""
    # Servers that split the reasoning out (DeepSeek API, vLLM reasoning parsers): put it back in place.
    return f"{reasoning}\n{THINK_CLOSE}\n\n{content}" if reasoning else content


def _show(value: Any) -> str:
    text = json.dumps(value)[:40] if isinstance(value, (str, int, float, type(None))) else type(value).__name__
    return "null" if value is None else text
