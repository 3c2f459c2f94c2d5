"""Chat template for SFT: the reasoning stays in the assistant turn and the student learns to stop.

open-r1's most reported failure is a student that never stops. Three template problems cause it, and
each is checked here by rendering a probe conversation rather than by trusting a model's name:

1. the template drops `<think>…</think>` from assistant turns (DeepSeek-R1-Distill's template
   keeps only the text after `</think>`; Qwen3's drops it from history) → the student never sees
   the reasoning it is meant to learn;
2. the template has no `{% generation %}` markers → no assistant mask, so the loss cannot be
   restricted to the assistant's tokens;
3. the end-of-turn token falls outside the assistant mask (or is not a special token) → the
   student is never trained to emit it.

A template that fails is first patched with TRL's training variant of the same template (when TRL
ships one); if that fails too, or the model has none (a base model), distill installs its own ChatML
template below. The stop token is read off the rendered probe: it becomes the tokenizer's EOS and
joins `generation_config.eos_token_id`, so generation stops where training put the end of a turn.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.errors import DistillError

log = logging.getLogger(__name__)

# ChatML that keeps <think> verbatim in every assistant turn, marks the assistant content and its
# <|im_end|> for the loss, and ends the final turn on <|im_end|> (no trailing newline) so every
# tokenized example ends with the stop token.
DISTILL_CHATML = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
    "{%- if not loop.last %}{{- '\\n' }}{%- endif %}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
CHATML_TOKENS = ["<|im_start|>", "<|im_end|>"]

# The same contract in Llama 3's own header format, used when the vocabulary has Llama 3's special
# tokens: no new tokens, no embedding resize (Llama 3.1/3.3 templates keep <think> but have no
# {% generation %} markers, and TRL ships no training variant of them).
DISTILL_LLAMA3 = (
    "{%- if bos_token %}{{- bos_token }}{%- endif %}"
    "{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{%- if message['role'] == 'assistant' %}"
    "{%- generation %}{{- message['content'] + '<|eot_id|>' }}{%- endgeneration %}"
    "{%- else %}{{- message['content'] + '<|eot_id|>' }}{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif %}"
)
LLAMA3_TOKENS = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]

PROBE_QUESTION = "distill probe question: what is 7 + 5?"
PROBE_THINK = "distill probe reasoning: seven plus five is twelve"
PROBE_ANSWER = "distill probe answer: 12"
PROBE_MESSAGES = [
    {"role": "user", "content": PROBE_QUESTION},
    {"role": "assistant", "content": f"<think>\n{PROBE_THINK}\n</think>\n\n{PROBE_ANSWER}"},
]

# Pad candidates, in order, when the tokenizer's pad is missing or equals the EOS.
PAD_CANDIDATES = ["<|endoftext|>", "<|finetune_right_pad_id|>", "<|pad|>", "<pad>", "<unk>"]


@dataclass
class TemplateCheck:
    ok: bool
    reason: str = ""
    stop_token: str = ""


@dataclass
class ChatTemplateChoice:
    template: str
    source: str  # "model", "model (TRL training variant)", "distill ChatML", or a file path
    stop_token: str
    replaced_because: str = ""
    added_tokens: list[str] = field(default_factory=list)


def check_template(tokenizer: Any, template: str | None) -> TemplateCheck:
    """Render the probe with `template` and say whether it is fit for reasoning SFT, and its stop token."""
    if not template:
        return TemplateCheck(False, "the tokenizer has no chat template (base model)")
    try:
        text = tokenizer.apply_chat_template(PROBE_MESSAGES, chat_template=template, tokenize=False)
        prompt = tokenizer.apply_chat_template(
            PROBE_MESSAGES[:1], chat_template=template, tokenize=False, add_generation_prompt=True
        )
        out = tokenizer.apply_chat_template(
            PROBE_MESSAGES, chat_template=template, tokenize=True, return_dict=True,
            return_assistant_tokens_mask=True,
        )
    except Exception as exc:  # jinja errors, templates that need extra variables
        return TemplateCheck(False, f"the template fails to render a conversation ({type(exc).__name__}: {exc})")
    if PROBE_THINK not in text or "<think>" not in text:
        return TemplateCheck(False, "the template strips <think> reasoning from assistant turns")
    if PROBE_ANSWER not in text:
        return TemplateCheck(False, "the template drops the assistant's answer")
    if not text.startswith(prompt):
        return TemplateCheck(False, "the generation prompt is not a prefix of the rendered conversation")
    ids, mask = list(out["input_ids"]), list(out["assistant_masks"])
    masked = [t for t, m in zip(ids, mask) if m]
    if not masked:
        return TemplateCheck(False, "the template has no {% generation %} markers (no assistant-only loss)")
    masked_text = tokenizer.decode(masked)
    if PROBE_THINK not in masked_text or PROBE_ANSWER not in masked_text:
        return TemplateCheck(False, "the assistant mask does not cover the reasoning and the answer")
    stop = _stop_token(tokenizer, masked)
    if not stop:
        return TemplateCheck(False, "the end-of-turn token is outside the assistant mask (student would never stop)")
    return TemplateCheck(True, stop_token=stop)


def _stop_token(tokenizer: Any, masked_ids: list[int]) -> str:
    """The last non-whitespace masked token, if it is a special (added) token: the turn terminator."""
    added = set(tokenizer.get_added_vocab().values()) | set(tokenizer.all_special_ids)
    for token_id in reversed(masked_ids):
        if tokenizer.decode([token_id]).strip() == "":
            continue
        return tokenizer.convert_ids_to_tokens(token_id) if token_id in added else ""
    return ""


def resolve_chat_template(tokenizer: Any, mode: str = "auto") -> ChatTemplateChoice:
    """Pick the training template for `tokenizer` per the recipe's `chat_template` setting.

    Mutates nothing; `install` applies the choice (adding ChatML tokens where needed).
    """
    if mode not in ("auto", "model", "distill"):
        path = Path(mode)
        if not path.is_file():
            raise DistillError(f"train_student.chat_template: {mode} is not a file (or auto, model, distill)")
        template = path.read_text(encoding="utf-8")
        check = check_template(tokenizer, template)
        if not check.ok:
            raise DistillError(f"train_student.chat_template {mode}: {check.reason}")
        return ChatTemplateChoice(template, str(path), check.stop_token)

    reason = ""
    if mode in ("auto", "model"):
        own = tokenizer.chat_template
        own = own.get("default") if isinstance(own, dict) else own
        check = check_template(tokenizer, own)
        if check.ok:
            return ChatTemplateChoice(own, "model", check.stop_token)
        reason = check.reason
        patched = _trl_training_variant(tokenizer) if own else None
        if patched:
            patched_check = check_template(tokenizer, patched)
            if patched_check.ok:
                return ChatTemplateChoice(patched, "model (TRL training variant)", patched_check.stop_token, reason)
        if mode == "model":
            raise DistillError(f"the model's chat template is unfit for reasoning SFT: {reason}; use chat_template: auto")

    vocab = tokenizer.get_vocab()
    reason = reason or "chat_template: distill"
    missing = [t for t in CHATML_TOKENS if t not in vocab]
    if missing and all(t in vocab for t in LLAMA3_TOKENS):
        return ChatTemplateChoice(DISTILL_LLAMA3, "distill Llama-3 format", "<|eot_id|>", reason)
    return ChatTemplateChoice(DISTILL_CHATML, "distill ChatML", "<|im_end|>", reason, missing)


def _trl_training_variant(tokenizer: Any) -> str | None:
    from trl.chat_template_utils import get_training_chat_template

    try:
        return get_training_chat_template(tokenizer)
    except (ValueError, TypeError):  # TRL has no training variant of this template
        return None


def install(tokenizer: Any, choice: ChatTemplateChoice) -> None:
    """Set the chosen template on the tokenizer (adding ChatML tokens if the vocabulary lacks them)."""
    if choice.added_tokens:
        tokenizer.add_special_tokens({"additional_special_tokens": choice.added_tokens})
    tokenizer.chat_template = choice.template
    check = check_template(tokenizer, choice.template)
    if not check.ok:  # only reachable for a broken tokenizer; never train on an unverified template
        raise DistillError(f"chat template check failed after installing {choice.source}: {check.reason}")
    choice.stop_token = check.stop_token


def choose_pad_token(tokenizer: Any, eos_token: str) -> str:
    """A pad token distinct from EOS when the vocabulary has one (so no code can mistake EOS for padding)."""
    vocab = tokenizer.get_vocab()
    if tokenizer.pad_token and tokenizer.pad_token != eos_token:
        return tokenizer.pad_token
    for candidate in PAD_CANDIDATES:
        if candidate in vocab and candidate != eos_token:
            return candidate
    log.warning("no pad token distinct from EOS %s in the vocabulary; padding reuses EOS (labels stay correct)", eos_token)
    return eos_token
