"""Tiny Qwen2, Llama and DeepseekV3 models with random (seeded) weights, saved as complete HF model directories.

Defaults: 2 layers, hidden 128, 2 heads of 64 (vLLM's CPU attention needs head_dim 64), tied
embeddings, float32. The directory holds config, generation config, weights and the tokenizer, so
`AutoModelForCausalLM.from_pretrained(dir)`, `AutoTokenizer.from_pretrained(dir)` and
`vllm.LLM(model=dir)` all load it.

`deepseek_v3` is DeepSeek-V3/R1's architecture (MLA attention, sigmoid-scored MoE with grouped
`noaux_tc` routing, untied head) with the fields of R1's config.json scaled down (`deepseek_v3_fields`).
Three of them cannot shrink, or vLLM's CPU build serves the model wrongly or not at all:
- kv_lora_rank 512 and qk_rope_head_dim 64: its CPU MLA decode kernel takes only a 576-wide latent;
- rope_scaling yarn (R1's own): with plain RoPE, vLLM 0.32's CPU build rotates DeepSeek's query and
  key in its C++ kernel (RotaryEmbedding.forward_cpu -> csrc/cpu/pos_encoding.cpp `rotary_embedding`),
  which assumes 2-D [tokens, heads*64] inputs: it reads the MLA layer's 3-D [tokens, heads, 64] query
  as tokens*heads rows, rotating token t's head h to position index t*heads+h instead of t, and takes
  the stride of the unsqueezed [tokens, 1, 64] k_pe view as 64 instead of the latent's row width,
  writing the rotated keys over the latent. Transformers and vLLM then disagree from the first token
  (garbled text). vLLM's YaRN class (DeepseekScalingRotaryEmbedding) rotates in PyTorch and agrees
  with transformers (tests/toy/test_toy_deepseek_v3_vllm.py: equal greedy tokens).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from distill.errors import DistillError

ARCHS = ("qwen2", "llama", "deepseek_v3")
HEAD_DIM = 64
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")


def check_shape(arch: str, hidden_size: int, num_heads: int) -> None:
    """Refuse shapes vLLM cannot serve, before anything is built."""
    if arch not in ARCHS:
        raise DistillError(f"unknown tiny-model arch {arch!r}; use one of {', '.join(ARCHS)}")
    if arch == "deepseek_v3":  # MLA: every head is 64 (nope) + 64 (rope) wide whatever hidden_size is
        if num_heads < 1:
            raise DistillError(f"num_heads must be at least 1, got {num_heads}")
        return
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
    if arch == "deepseek_v3":
        from transformers import DeepseekV3Config

        return DeepseekV3Config(**deepseek_v3_fields(common, tokenizer, hidden_size))
    return LlamaConfig(head_dim=HEAD_DIM, **common)


def deepseek_v3_fields(common: dict, tokenizer, hidden_size: int) -> dict:
    """DeepSeek-R1's config.json fields, scaled down (R1's value in each comment)."""
    fields = dict(common)
    fields.update(
        tie_word_embeddings=False,  # False
        # R1's BOS is a token of its own (<｜begin▁of▁sentence｜>), not the padding one
        bos_token_id=tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.pad_token_id,
        q_lora_rank=hidden_size * 3 // 4,  # 1536
        kv_lora_rank=512,  # 512: vLLM's CPU MLA decode kernel takes only 512 + 64
        qk_rope_head_dim=HEAD_DIM,  # 64
        qk_nope_head_dim=HEAD_DIM,  # 128
        v_head_dim=HEAD_DIM,  # 128
        moe_intermediate_size=common["intermediate_size"] // 4,  # 2048 (dense intermediate 18432)
        n_routed_experts=8,  # 256
        n_shared_experts=1,  # 1
        num_experts_per_tok=2,  # 8
        n_group=4,  # 8
        topk_group=2,  # 4
        topk_method="noaux_tc",  # noaux_tc
        scoring_func="sigmoid",  # sigmoid
        routed_scaling_factor=2.5,  # 2.5
        norm_topk_prob=True,  # true
        first_k_dense_replace=1,  # 3 of 61 layers dense
        moe_layer_freq=1,  # 1
        rms_norm_eps=1e-6,  # 1e-6
        rope_theta=10000.0,  # 10000
        # R1: factor 40 over 4096 positions (163840). Plain RoPE is not an option: see the module docstring.
        rope_scaling={
            "type": "yarn",
            "factor": 4.0,
            "original_max_position_embeddings": common["max_position_embeddings"] // 4,
            "beta_fast": 32,
            "beta_slow": 1,
            "mscale": 1.0,
            "mscale_all_dim": 1.0,
        },
    )
    return fields


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
