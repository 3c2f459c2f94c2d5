"""SFT labels from where each assistant turn's text lies in the rendered conversation.

Labels are not read off a template's `{% generation %}` markers: published templates put different
things inside them (Qwen2.5's training variant marks the newline after `<|im_start|>assistant` and
the newline after `<|im_end|>`; DeepSeek's marks `<｜Assistant｜>`), and most stock templates
(Qwen2.5, Qwen2.5-Math, Llama 3.1/3.3) have none at all. Instead, for each assistant turn:

- the turn's content is found in the rendered text (verbatim, or trimmed for templates that trim it,
  as Llama 3's does), searched from where that turn's generation prompt ends;
- labels start where the generation prompt ends (`render(messages[:i], add_generation_prompt=True)`
  must be a prefix of the conversation), so a prefill the prompt already supplies, such as
  DeepSeek-R1-Distill's forced `<think>\\n`, is masked like the rest of the prompt;
- labels end on the first stop token after the content (whitespace between is trained: the model
  must emit it); nothing after the stop token carries loss, and the example is cut after the last one.

Everything else (system prompt, user turns, BOS, date headers, role headers) is masked. A row whose
turns the template does not render this way is rejected with the reason, never trained on silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IGNORE = -100
# How far a generation prompt may reach into the assistant's content (a prefill such as "<think>\n").
MAX_PREFILL_CHARS = 64


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]
    reject: str = ""
    # Character span (start, end) of each assistant turn's trained text in the rendered conversation.
    spans: tuple[tuple[int, int], ...] = ()
    text: str = ""


def render(tokenizer: Any, template: str, messages: list[dict], *, prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(messages, chat_template=template, tokenize=False, add_generation_prompt=prompt)


def assistant_spans(
    tokenizer: Any, template: str, messages: list[dict], text: str
) -> tuple[list[tuple[int, int]], str]:
    """(start, end) of each assistant turn's trained text in `text`, or a rejection reason."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    turn = 0
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        turn += 1
        prompt = render(tokenizer, template, messages[:index], prompt=True)
        if not text.startswith(prompt):
            return [], (
                f"prompt_mismatch: assistant turn {turn}: "
                "the generation prompt is not a prefix of the rendered conversation"
            )
        found = _find_content(text, message["content"], len(prompt), cursor)
        if found is None:
            return [], (
                f"not_rendered: assistant turn {turn} is not in the rendered text verbatim "
                "(the template rewrites or strips it)"
            )
        start, end = max(found[0], len(prompt)), found[1]
        if start >= end:
            return [], f"not_rendered: assistant turn {turn} lies inside its generation prompt"
        spans.append((start, end))
        cursor = end
    return spans, ""


def _find_content(text: str, content: str, prompt_end: int, cursor: int) -> tuple[int, int] | None:
    for candidate in (content, content.strip(), content.lstrip()):
        if not candidate:
            continue
        # A prefill: the content starts inside the generation prompt.
        for pos in range(prompt_end, max(cursor, prompt_end - MAX_PREFILL_CHARS) - 1, -1):
            if text.startswith(candidate, pos):
                return pos, pos + len(candidate)
        pos = text.find(candidate, max(prompt_end, cursor))
        if pos >= 0:
            return pos, pos + len(candidate)
    return None


def build_example(tokenizer: Any, template: str, messages: list[dict], stop_id: int) -> Example:
    """Token ids and labels of one conversation (no truncation: the caller drops over-long rows)."""
    text = render(tokenizer, template, messages)
    spans, reason = assistant_spans(tokenizer, template, messages, text)
    if reason:
        return Example([], [], reason, text=text)
    ids, locate = _encode(tokenizer, text)
    labels = [IGNORE] * len(ids)
    i = 0
    for turn, (start, end) in enumerate(spans, 1):
        first = max(i, locate(start, end, 1))  # the first token reaching into the turn's text
        i = max(first, locate(end - 1, start - 1, -1) + 1)  # the first token after it
        if stop_id in ids[first:i]:
            return Example([], [], f"stop_in_content: assistant turn {turn} contains the stop token", text=text)
        while i < len(ids) and ids[i] != stop_id and tokenizer.decode([ids[i]]).strip() == "":
            i += 1  # whitespace the template puts before the stop token: the model must emit it too
        if i >= len(ids) or ids[i] != stop_id:
            return Example([], [], f"no_eos: assistant turn {turn} is not followed by the stop token", text=text)
        labels[first : i + 1] = ids[first : i + 1]
        i += 1
    # Scaffolding after the final stop token (ChatML's trailing newline) is never generated: cut it
    # so every example, packed or not, ends exactly on the stop token.
    return Example(ids[:i], labels[:i], "", tuple(spans), text)


def _encode(tokenizer: Any, text: str):
    """Token ids of `text` (no special tokens added: the template writes BOS itself) and a function
    locate(pos, stop, step): the index of the token covering the first character from `pos` towards
    `stop` that a token covers. The Rust encoding's char_to_token when there is one (no per-token
    Python work on a 16K-token trace), else the offsets."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        encoding = backend.encode(text, add_special_tokens=False)
        char_to_token = encoding.char_to_token
    else:
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        by_char: dict[int, int] = {}
        for index, (s, e) in enumerate(enc["offset_mapping"]):
            for c in range(s, e):
                by_char.setdefault(c, index)
        encoding, char_to_token = enc, by_char.get

    def locate(pos: int, stop: int, step: int) -> int:
        for c in range(pos, stop, step):
            token = char_to_token(c)
            if token is not None:
                return token
        return -1  # not reached for a span holding any text

    ids = encoding.ids if backend is not None else list(encoding["input_ids"])
    return list(ids), locate


def detect_stop_token(tokenizer: Any, template: str, messages: list[dict]) -> str:
    """The special token right after the final assistant turn's content ("" if there is none)."""
    text = render(tokenizer, template, messages)
    spans, reason = assistant_spans(tokenizer, template, messages, text)
    if reason or not spans:
        return ""
    ids, locate = _encode(tokenizer, text)
    special = set(tokenizer.get_added_vocab().values()) | set(tokenizer.all_special_ids)
    start, end = spans[-1]
    for token_id in ids[locate(end - 1, start - 1, -1) + 1 :]:
        if tokenizer.decode([token_id]).strip() == "":
            continue
        return tokenizer.convert_ids_to_tokens(token_id) if token_id in special else ""
    return ""
