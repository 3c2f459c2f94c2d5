"""How many parameters a decoder has, read off its config.json (dense, MoE and latent attention).

Both the GPU placement checks (distill/placement.py) and the SFT/GRPO memory plan
(distill/train/memory_plan.py) size a model this way, so it lives apart from either.
"""

from __future__ import annotations

from typing import Any


def text_config(config: dict[str, Any]) -> dict[str, Any]:
    return config.get("text_config") or config


def count_params(config: dict[str, Any]) -> int:
    """Parameters of a decoder from its config.json: dense, MoE (routed + shared experts) and MLA."""
    c = text_config(config)
    h, layers, vocab = int(c["hidden_size"]), int(c["num_hidden_layers"]), int(c["vocab_size"])
    heads = int(c["num_attention_heads"])
    kv_heads = int(c.get("num_key_value_heads") or heads)
    head_dim = int(c.get("head_dim") or h // heads)
    if c.get("kv_lora_rank"):  # multi-head latent attention (DeepSeek-V2/V3/R1)
        rope, nope, v = int(c["qk_rope_head_dim"]), int(c["qk_nope_head_dim"]), int(c["v_head_dim"])
        q_rank = c.get("q_lora_rank")
        q = h * int(q_rank) + int(q_rank) * heads * (nope + rope) if q_rank else h * heads * (nope + rope)
        kv_rank = int(c["kv_lora_rank"])
        attention = q + h * (kv_rank + rope) + kv_rank * heads * (nope + v) + heads * v * h
    else:
        attention = 2 * h * heads * head_dim + 2 * h * kv_heads * head_dim
    dense_mlp = 3 * h * int(c["intermediate_size"])
    experts = int(c.get("n_routed_experts") or c.get("num_experts") or c.get("num_local_experts") or 0)
    if experts:
        inter = int(c.get("moe_intermediate_size") or c["intermediate_size"])
        shared = int(c.get("n_shared_experts") or 0)
        moe_mlp = (experts + shared) * 3 * h * inter + experts * h
        dense_layers = int(c.get("first_k_dense_replace") or 0)
        mlp = dense_layers * dense_mlp + (layers - dense_layers) * moe_mlp
    else:
        mlp = layers * dense_mlp
    tied = config.get("tie_word_embeddings", c.get("tie_word_embeddings", False))
    return layers * (attention + 2 * h) + mlp + vocab * h * (1 if tied else 2) + h
