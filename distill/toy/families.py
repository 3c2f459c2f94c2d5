"""Toy tokenizers with a real model family's tokenizer configuration: its special tokens, BOS/EOS/pad
as its tokenizer_config.json sets them, and its published chat template.

For tests and miniature runs of the real recipes: the vocabulary is the toy BPE (trained in
seconds), everything the chat-template and label code reads is the family's. Templates are TRL's
byte copies of the published ones (inside the installed trl package), or derived from them where a
published revision differs in one place (each says which):

    qwen2.5               Qwen2.5-14B/32B base and Instruct (TRL qwen2_5.jinja)
    qwen2.5-math          Qwen2.5-Math-1.5B/7B: Qwen2.5's template with its default system prompt
                          "Please reason step by step, and put your final answer within \\boxed{}."
    qwen3                 Qwen3 (TRL qwen3.jinja: reasoning stripped from earlier turns)
    deepseek-r1-distill   DeepSeek-R1-Distill-Qwen, the revision forcing "<think>\\n" (TRL's copy)
    deepseek-r1-distill-release   the release revision: the generation prompt ends on <｜Assistant｜>
                          (before deepseek-ai's commit 530ca3e; LlamaFactory issue #6987)
    llama-3.1             Llama-3.1-8B(-Instruct) / Llama-3.3-70B-Instruct (TRL llama3_1.jinja)
    bare                  a base model with no template and no chat format in its vocabulary
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Qwen2.5-Math's published default system prompt. The same words as distill's R1 instruction
# (distill.core.instruction), kept literal on purpose: this reproduces the model's template as
# published, and must not change if distill's instruction ever does.
MATH_SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."
QWEN_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
CHATML = ("<|im_start|>", "<|im_end|>")
DEEPSEEK = ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>", "<｜▁pad▁｜>")
LLAMA3 = (
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|finetune_right_pad_id|>",
)


@dataclass(frozen=True)
class Family:
    template: str | None  # a TRL template name, optionally "name:derivation"
    drop: tuple[str, ...] = ()  # toy tokens the family's vocabulary does not have
    add: tuple[str, ...] = ()  # the family's special tokens
    bos: str | None = None
    eos: str | None = None
    pad: str | None = None


FAMILIES = {
    "qwen2.5": Family("qwen2_5", eos="<|endoftext|>", pad="<|endoftext|>"),
    "qwen2.5-math": Family("qwen2_5:math", eos="<|endoftext|>", pad="<|endoftext|>"),
    "qwen3": Family("qwen3", eos="<|im_end|>", pad="<|endoftext|>"),
    "deepseek-r1-distill": Family("deepseek_r1_distill", CHATML, DEEPSEEK, DEEPSEEK[0], DEEPSEEK[1], DEEPSEEK[1]),
    "deepseek-r1-distill-release": Family(
        "deepseek_r1_distill:release", CHATML, DEEPSEEK, DEEPSEEK[0], DEEPSEEK[1], DEEPSEEK[1]
    ),
    "llama-3.1": Family("llama3_1", CHATML, LLAMA3, LLAMA3[0], "<|eot_id|>", None),
    "llama-3-base": Family(None, CHATML, LLAMA3, LLAMA3[0], "<|end_of_text|>", None),
    "bare": Family(None, CHATML),
}


def trl_template(name: str) -> str:
    """A chat template TRL ships inside its package (found without importing trl)."""
    spec = importlib.util.find_spec("trl")
    if spec is None or not spec.origin:
        raise FileNotFoundError("trl is not installed")
    return (Path(spec.origin).parent / "chat_templates" / f"{name}.jinja").read_text(encoding="utf-8")


def family_template(spec: str | None) -> str | None:
    if spec is None:
        return None
    name, _, derivation = spec.partition(":")
    text = trl_template(name)
    if derivation == "math":
        return text.replace(QWEN_SYSTEM, MATH_SYSTEM.replace("\\", "\\\\"))
    if derivation == "release":
        return text.replace("{{'<｜Assistant｜><think>\\n'}}", "{{'<｜Assistant｜>'}}")
    return text


def family_tokenizer(base: Any, family: str) -> Any:
    """A copy of the toy tokenizer `base` configured as `family` (see the module docstring)."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    f = FAMILIES[family]
    data = json.loads(base.backend_tokenizer.to_str())
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] not in f.drop]
    for token in f.drop:
        data["model"]["vocab"].pop(token, None)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(json.dumps(data)),
        clean_up_tokenization_spaces=False,
        model_max_length=base.model_max_length,
    )
    if f.add:
        tokenizer.add_special_tokens({"additional_special_tokens": list(f.add)})
    for role in ("bos", "eos", "pad"):
        token = getattr(f, role)
        if token is not None:
            setattr(tokenizer, f"{role}_token", token)
    tokenizer.chat_template = family_template(f.template)
    return tokenizer


def build_family_tokenizer(family: str, out_dir: str | Path) -> Any:
    """Train the toy tokenizer, configure it as `family`, save it to `out_dir` (for build_tiny_model)."""
    import tempfile

    from distill.toy.tokenizer import build_tokenizer

    tokenizer = family_tokenizer(build_tokenizer(tempfile.mkdtemp(prefix="distill-toy-tok-")), family)
    tokenizer.save_pretrained(str(out_dir))
    return tokenizer
