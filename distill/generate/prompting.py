"""Prompting the way DeepSeek-R1 was sampled.

- The user turn is the problem plus a per-domain instruction, e.g. for math
  "{problem}\\nPlease reason step by step, and put your final answer within \\boxed{}."
  (not added twice when the problem already ends with it); R1 advises no system prompt.
- The teacher tokenizer's own chat template renders it, with the generation prompt.
- `force_think` appends "<think>\\n" so the teacher cannot skip its reasoning (R1's advice). The forced
  text is part of the answer the teacher gave, so it is put back in front of the recorded completion:
  every completion starts with "<think>\\n". Templates that already end with "<think>\\n" (newer R1
  tokenizers) are not given a second one, but the completion still starts with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distill.core.think import THINK_PREFIX  # noqa: F401  (re-exported)
from distill.errors import DistillError


@dataclass
class Prompt:
    text: str  # what the engine is given
    prefix: str  # forced start of the completion, prepended to what the engine returns


def user_turn(problem: str, template: str) -> str:
    """Fill `{problem}` (plain replacement: problems are full of LaTeX braces)."""
    before, _, after = template.partition("{problem}")
    if after.strip() and problem.rstrip().endswith(after.strip()):
        after = ""  # the problem already carries the instruction
    if before.strip() and problem.lstrip().startswith(before.strip()):
        before = ""
    return f"{before}{problem}{after}"


def build_prompt(problem: str, domain: str, cfg: Any, tokenizer: Any) -> Prompt:
    """The full prompt for one problem under PromptingConfig `cfg`."""
    template = cfg.templates.get(domain, "{problem}")
    content = user_turn(problem, template)
    if cfg.chat_template:
        text = _apply_chat_template(tokenizer, content, cfg.system_prompt)
    else:
        text = content if cfg.system_prompt is None else f"{cfg.system_prompt}\n\n{content}"
    prefix = THINK_PREFIX if cfg.force_think else ""
    if prefix and not text.endswith(prefix):
        text += prefix
    return Prompt(text=text, prefix=prefix)


def _apply_chat_template(tokenizer: Any, content: str, system_prompt: str | None) -> str:
    if tokenizer is None or not getattr(tokenizer, "chat_template", None):
        name = getattr(tokenizer, "name_or_path", "the teacher")
        raise DistillError(
            f"{name}: tokenizer has no chat template; set generate.prompting.chat_template: false "
            "or use a tokenizer that has one (generate.tokenizer)"
        )
    messages = [{"role": "user", "content": content}]
    if system_prompt is not None:
        messages.insert(0, {"role": "system", "content": system_prompt})
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def load_tokenizer(path: str, trust_remote_code: bool = False) -> Any:
    """The teacher's tokenizer (chat template, BOS, EOS) without loading the model."""
    from distill.errors import require

    transformers = require("transformers", "core", "loading the teacher tokenizer")
    try:
        return transformers.AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    except Exception as exc:  # OSError for a missing repo/dir, ValueError for unknown classes
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistillError(f"{path}: cannot load the tokenizer: {first}") from None
