"""Tiny Qwen2 and Llama models with random (seeded) weights, saved as complete HF model directories.

Defaults: 2 layers, hidden 128, 2 heads of 64 (vLLM's CPU attention needs head_dim 64), tied
embeddings, float32. The directory holds config, generation config, weights and the tokenizer, so
`AutoModelForCausalLM.from_pretrained(dir)`, `AutoTokenizer.from_pretrained(dir)` and
`vllm.LLM(model=dir)` all load it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from distill.errors import DistillError

ARCHS = ("qwen2", "llama")
HEAD_DIM = 64
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")


def check_shape(arch: str, hidden_size: int, num_heads: int) -> None:
    """Refuse shapes vLLM cannot serve, before anything is built."""
    if arch not in ARCHS:
        raise DistillError(f"unknown tiny-model arch {arch!r}; use one of {', '.join(ARCHS)}")
    if num_heads < 1 or hidden_size != num_heads * HEAD_DIM:
        raise DistillError(
            f"hidden_size {hidden_size} must be num_heads ({num_heads}) x {HEAD_DIM}: "
            f"vLLM's CPU attention needs head_dim {HEAD_DIM}"
        )


def tiny_config(
    arch: str,
    tokenizer,
    *,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 2,
    intermediate_size: int = 256,
    max_positions: int = 2048,
):
    """A transformers config for a tiny model whose vocabulary and special ids match `tokenizer`."""
    from transformers import LlamaConfig, Qwen2Config

    check_shape(arch, hidden_size, num_heads)
    common = dict(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        # No BOS is added by the tokenizer; like Qwen, the BOS id is the padding/end-of-text token.
        bos_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        dtype="float32",
    )
    if arch == "qwen2":
        return Qwen2Config(**common)
    return LlamaConfig(head_dim=HEAD_DIM, **common)


def build_tiny_model(
    arch: str,
    tokenizer_dir: str | Path,
    out_dir: str | Path,
    *,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 2,
    intermediate_size: int = 256,
    seed: int = 0,
) -> Path:
    """Build a randomly initialised (seeded) tiny model into `out_dir` and return the path."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = tiny_config(
        arch,
        tokenizer,
        hidden_size=hidden_size,
        num_layers=num_layers,
        num_heads=num_heads,
        intermediate_size=intermediate_size,
    )
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    # generate() stops at <|im_end|> and pads with <|endoftext|> without being told.
    model.generation_config = GenerationConfig(
        bos_token_id=config.bos_token_id,
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    _copy_tokenizer(Path(tokenizer_dir), out_dir)
    return out_dir


def _copy_tokenizer(src: Path, dst: Path) -> None:
    for name in TOKENIZER_FILES:
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)
