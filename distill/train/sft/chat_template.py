"""Chat template for SFT: the reasoning stays in every assistant turn and the student learns to stop.

open-r1's most reported failure is a student that never stops. The template problems that cause it
are checked here by rendering a two-turn probe conversation through the same label builder the data
path uses (labels.py), rather than by trusting a model's name:

1. the template drops `<think>…</think>` from assistant turns (DeepSeek-R1-Distill's stock template
   keeps only the text after `</think>` in every turn; Qwen3's drops it from earlier turns) → the
   student never sees the reasoning it is meant to learn;
2. the generation prompt is not a prefix of the rendered conversation → the student would be trained
   on a context it never sees at inference;
3. no special token follows the assistant's content → the student is never trained to stop.

`{% generation %}` markers are not needed: labels come from where each turn's text lies in the
rendered conversation. A model's stock template that passes is used unchanged (Qwen2.5, Qwen2.5-Math
with its default system prompt, Llama 3.1/3.3 with BOS and date headers). One that fails is replaced,
in this order, by TRL's training variant of the same template (TRL matches templates byte for byte),
or by distill's own template *in the model's own format* (DeepSeek, ChatML or Llama 3 headers, with
the model's BOS and its generation-prompt prefill), which adds tokens to the vocabulary only when the
vocabulary has none of these formats. Every replacement and every added token is announced and
recorded in the manifest. The stop token is read off the rendered probe: it becomes the tokenizer's
EOS and joins `generation_config.eos_token_id`, so generation stops where training put the end of a turn.

A model's default system prompt (what the template renders when a row has no system turn, e.g.
Qwen2.5-Math's "Please reason step by step…") follows `train_student.system_prompt`: `model` (the
default) keeps what the template does, so training matches inference with the same template; `none`
drops it (distill's template in the model's format, which has no default); any other text is the
system turn of every row that has none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.core.chat_template import (  # noqa: F401  (re-exported: SFT's checks name them)
    CHATML_TOKENS,
    DEEPSEEK_TOKENS,
    DISTILL_CHATML,
    DISTILL_DEEPSEEK,
    DISTILL_LLAMA3,
    FORMATS,
    LLAMA3_TOKENS,
)
from distill.core.think import THINK_OPEN, join_think
from distill.errors import DistillError

log = logging.getLogger(__name__)

PROBE_QUESTION = "distill probe question: what is 7 + 5?"
PROBE_THINK = "distill probe reasoning: seven plus five is twelve"
PROBE_ANSWER = "distill probe answer: 12"
PROBE_MESSAGES = [
    {"role": "user", "content": PROBE_QUESTION},
    {"role": "assistant", "content": join_think(PROBE_THINK, PROBE_ANSWER)},
]
PROBE_QUESTION_2 = "distill probe follow-up: and 12 + 5?"
PROBE_THINK_2 = "distill probe reasoning: twelve plus five is seventeen"
PROBE_ANSWER_2 = "distill probe answer: 17"
# Two turns: a template that strips the reasoning of earlier assistant turns (Qwen3's) is caught.
PROBE_CONVERSATION = PROBE_MESSAGES + [
    {"role": "user", "content": PROBE_QUESTION_2},
    {"role": "assistant", "content": join_think(PROBE_THINK_2, PROBE_ANSWER_2)},
]
SYSTEM_SENTINEL = "distill probe system prompt"

# Pad candidates, in order, when the tokenizer's pad is missing or equals the EOS.
PAD_CANDIDATES = ["<|endoftext|>", "<|finetune_right_pad_id|>", "<｜▁pad▁｜>", "<|pad|>", "<pad>", "<unk>"]


@dataclass
class TemplateCheck:
    ok: bool
    reason: str = ""
    stop_token: str = ""
    # What the generation prompt already supplies of the assistant's text (DeepSeek's "<think>\n").
    prefill: str = ""


@dataclass
class ChatTemplateChoice:
    template: str
    source: str  # "model", "model (TRL training variant)", "distill <format> format", or a file path
    stop_token: str
    replaced_because: str = ""
    added_tokens: list[str] = field(default_factory=list)
    # The system prompt the template renders for a row without one ("" if none), and the recipe's rule.
    default_system_prompt: str = ""
    system_prompt: str = "model"
    prefill: str = ""

    @property
    def system_text(self) -> str | None:
        """The system turn distill adds to rows that have none (None: leave rows as they are)."""
        return None if self.system_prompt in ("model", "none") else self.system_prompt

    def summary(self) -> str:
        """One line: what template trains the student, why, and any change to vocabulary or prompt."""
        parts = [f"chat template: {self.source}"]
        if self.replaced_because:
            parts[0] += f" (the model's is replaced: {self.replaced_because})"
        parts.append(f"stop token {self.stop_token}")
        if self.added_tokens:
            parts.append(
                f"vocabulary +{len(self.added_tokens)} tokens ({', '.join(self.added_tokens)}), embeddings resized"
            )
        if self.system_text is not None:
            parts.append(f"system prompt for rows without one: {self.system_text!r}")
        elif self.default_system_prompt:
            parts.append(f"model's default system prompt kept: {self.default_system_prompt!r}")
        if self.prefill:
            parts.append(f"generation prompt prefills {self.prefill!r} (masked)")
        return "; ".join(parts)

    def record(self) -> dict[str, Any]:
        """What the manifest keeps of the choice."""
        return {
            "source": self.source,
            "replaced_because": self.replaced_because,
            "stop_token": self.stop_token,
            "added_tokens": list(self.added_tokens),
            "system_prompt": self.system_prompt,
            "default_system_prompt": self.default_system_prompt,
            "prefill": self.prefill,
        }


def check_template(tokenizer: Any, template: str | None) -> TemplateCheck:
    """Render the two-turn probe with `template`; say whether it is fit for reasoning SFT, and its stop token."""
    from distill.train.sft.labels import IGNORE, build_example, detect_stop_token, render

    if not template:
        return TemplateCheck(False, "the tokenizer has no chat template (base model)")
    try:
        text = render(tokenizer, template, PROBE_CONVERSATION)
        stop = detect_stop_token(tokenizer, template, PROBE_CONVERSATION)
        example = build_example(
            tokenizer, template, PROBE_CONVERSATION, tokenizer.convert_tokens_to_ids(stop) if stop else -1
        )
        prompt = render(tokenizer, template, PROBE_CONVERSATION[:1], prompt=True)
    except Exception as exc:  # jinja errors, templates that need extra variables
        return TemplateCheck(False, f"the template fails to render a conversation ({type(exc).__name__}: {exc})")
    if PROBE_THINK_2 not in text or THINK_OPEN not in text:
        return TemplateCheck(False, "the template strips <think> reasoning from assistant turns")
    if PROBE_THINK not in text:
        return TemplateCheck(False, "the template strips the reasoning of earlier assistant turns (multi-turn)")
    if PROBE_ANSWER not in text or PROBE_ANSWER_2 not in text:
        return TemplateCheck(False, "the template drops the assistant's answer")
    if not stop:
        return TemplateCheck(False, "no special token ends the assistant turn (student would never stop)")
    if example.reject:
        return TemplateCheck(False, example.reject.split(": ", 1)[-1])
    turns = _labeled_turns(example.labels, IGNORE)
    decoded = [tokenizer.decode(t) for t in turns]
    if len(turns) != 2:
        return TemplateCheck(False, f"the labels form {len(turns)} spans for 2 assistant turns")
    for text_, think, answer in zip(decoded, (PROBE_THINK, PROBE_THINK_2), (PROBE_ANSWER, PROBE_ANSWER_2)):
        if think not in text_ or answer not in text_ or not text_.endswith(stop):
            return TemplateCheck(False, "the labels do not cover each turn's reasoning, answer and stop token")
        if PROBE_QUESTION in text_ or PROBE_QUESTION_2 in text_:
            return TemplateCheck(False, "the labels include the user's prompt")
    content = PROBE_MESSAGES[1]["content"]
    prefill = next((content[:k] for k in range(min(len(content), 64), 0, -1) if prompt.endswith(content[:k])), "")
    return TemplateCheck(True, stop_token=stop, prefill=prefill)


def _labeled_turns(labels: list[int], ignore: int) -> list[list[int]]:
    turns: list[list[int]] = []
    previous = ignore
    for label in labels:
        if label != ignore:
            if previous == ignore:
                turns.append([])
            turns[-1].append(label)
        previous = label
    return turns


def default_system_prompt(tokenizer: Any, template: str) -> str:
    """The system text `template` renders for a conversation without a system turn ("" if none).

    Found by comparing a user-only render with one whose system turn is empty: Qwen2.5-Math's
    "Please reason step by step…" differs; Llama 3.1's date header, rendered either way, does not.
    """
    from distill.train.sft.labels import render

    try:
        bare = render(tokenizer, template, PROBE_MESSAGES[:1])
        empty = render(tokenizer, template, [{"role": "system", "content": ""}] + PROBE_MESSAGES[:1])
    except Exception:
        return ""
    if bare == empty:
        return ""
    head = 0
    while head < min(len(bare), len(empty)) and bare[head] == empty[head]:
        head += 1
    tail = 0
    while tail < min(len(bare), len(empty)) - head and bare[-1 - tail] == empty[-1 - tail]:
        tail += 1
    return bare[head : len(bare) - tail].strip()


def resolve_chat_template(tokenizer: Any, mode: str = "auto", system_prompt: str = "model") -> ChatTemplateChoice:
    """Pick the training template for `tokenizer` per the recipe's `chat_template` and `system_prompt`.

    Mutates nothing; `install` applies the choice (adding tokens where the choice says so).
    """
    choice = _resolve(tokenizer, mode, system_prompt)
    choice.system_prompt = system_prompt
    if choice.default_system_prompt == "" and not choice.added_tokens:
        choice.default_system_prompt = default_system_prompt(tokenizer, choice.template)
    return choice


def _resolve(tokenizer: Any, mode: str, system_prompt: str) -> ChatTemplateChoice:
    template: str | None
    if mode not in ("auto", "model", "distill"):
        path = Path(mode)
        if not path.is_file():
            raise DistillError(f"train_student.chat_template: {mode} is not a file (or auto, model, distill)")
        template = path.read_text(encoding="utf-8")
        check = check_template(tokenizer, template)
        if not check.ok:
            raise DistillError(f"train_student.chat_template {mode}: {check.reason}")
        return ChatTemplateChoice(template, str(path), check.stop_token, prefill=check.prefill)

    own = _own_template(tokenizer)
    reason = ""
    if mode in ("auto", "model"):
        for template, source in (
            (own, "model"),
            (_trl_training_variant(tokenizer) if own else None, "model (TRL training variant)"),
        ):
            if not template:
                continue
            check = check_template(tokenizer, template)
            if not check.ok:
                reason = reason or check.reason
                continue
            if system_prompt == "none" and default_system_prompt(tokenizer, template):
                reason = reason or "train_student.system_prompt: none, and the template adds a default system prompt"
                break
            return ChatTemplateChoice(
                template, source, check.stop_token, reason if source != "model" else "", prefill=check.prefill
            )
        if mode == "model":
            raise DistillError(
                f"the model's chat template is unfit for reasoning SFT: {reason}; use chat_template: auto"
            )
    return _distill_template(tokenizer, own, reason or "chat_template: distill")


def _own_template(tokenizer: Any) -> str | None:
    own = tokenizer.chat_template
    return own.get("default") if isinstance(own, dict) else own


def _distill_template(tokenizer: Any, own: str | None, reason: str) -> ChatTemplateChoice:
    """distill's template in the model's own format: the one its template renders, else one its vocabulary has."""
    vocab = tokenizer.get_vocab()
    available = [f for f in FORMATS if all(t in vocab for t in f[1])]
    rendered = _render_probe(tokenizer, own)
    fmt = next((f for f in available if f[1][0] in rendered), available[0] if available else None)
    if fmt is None:  # no known format in the vocabulary: ChatML with its two tokens added
        return ChatTemplateChoice(
            DISTILL_CHATML, "distill ChatML", "<|im_end|>", reason, [t for t in CHATML_TOKENS if t not in vocab]
        )
    name, _, stop = fmt
    prefill = ""
    if name == "DeepSeek":
        prefill = _generation_prefill(tokenizer, own, "<｜Assistant｜>")
        template = DISTILL_DEEPSEEK.replace("__PREFILL__", prefill.replace("\n", "\\n"))
    else:  # the other names in FORMATS
        template = {"ChatML": DISTILL_CHATML, "Llama-3": DISTILL_LLAMA3}[name]
    source = "distill ChatML" if name == "ChatML" else f"distill {name} format"
    return ChatTemplateChoice(template, source, stop, reason, prefill=prefill)


def _render_probe(tokenizer: Any, template: str | None) -> str:
    if not template:
        return ""
    try:
        return tokenizer.apply_chat_template(
            PROBE_MESSAGES, chat_template=template, tokenize=False, add_generation_prompt=False
        )
    except Exception:
        return ""


def _generation_prefill(tokenizer: Any, template: str | None, header: str) -> str:
    """What the model's generation prompt adds after the assistant header (e.g. "<think>\\n")."""
    if not template:
        return ""
    try:
        prompt = tokenizer.apply_chat_template(
            PROBE_MESSAGES[:1], chat_template=template, tokenize=False, add_generation_prompt=True
        )
    except Exception:
        return ""
    return prompt.rsplit(header, 1)[1] if header in prompt else ""


def _trl_training_variant(tokenizer: Any) -> str | None:
    from trl.chat_template_utils import get_training_chat_template

    try:
        return get_training_chat_template(tokenizer)
    except (ValueError, TypeError):  # TRL has no training variant of this template
        return None


def install(tokenizer: Any, choice: ChatTemplateChoice) -> None:
    """Set the chosen template on the tokenizer (adding tokens if the choice needs them)."""
    if choice.added_tokens:
        tokenizer.add_special_tokens({"additional_special_tokens": choice.added_tokens})
    tokenizer.chat_template = choice.template
    check = check_template(tokenizer, choice.template)
    if not check.ok:  # only reachable for a broken tokenizer; never train on an unverified template
        raise DistillError(f"chat template check failed after installing {choice.source}: {check.reason}")
    choice.stop_token = check.stop_token
    choice.prefill = check.prefill


def choose_pad_token(tokenizer: Any, eos_token: str) -> str:
    """A pad token distinct from EOS when the vocabulary has one (so no code can mistake EOS for padding)."""
    vocab = tokenizer.get_vocab()
    if tokenizer.pad_token and tokenizer.pad_token != eos_token:
        return tokenizer.pad_token
    for candidate in PAD_CANDIDATES:
        if candidate in vocab and candidate != eos_token:
            return candidate
    log.warning(
        "no pad token distinct from EOS %s in the vocabulary; padding reuses EOS (labels stay correct)", eos_token
    )
    return eos_token
