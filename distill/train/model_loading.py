"""Loading the student: attention backend, dtype, long-context RoPE overrides, fused kernels, PEFT.

Attention, fastest correct first (every choice keeps packed traces from attending to each other:
TRL's padding-free collator resets position_ids per trace, FlashAttention-2 reads the boundaries
from `cu_seq_lens`, and transformers' masking utilities build a per-document mask for sdpa, eager
and flex_attention from the position_ids):

- flash_attention_2 when flash-attn is installed (varlen kernel, no mask at all);
- flex_attention on a GPU without flash-attn: a block-sparse document mask, compiled once for the
  static packed shape distill pads every batch to (an H100 measurement: 2.3 ms vs 19.6 ms for sdpa
  with a boolean mask, one layer at 16K packed tokens);
- sdpa on CPU (flex compiles slowly there and has no kernel advantage).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from distill.errors import DistillError


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def resolve_attention(requested: str, *, cuda: bool | None = None) -> str:
    cuda = cuda_available() if cuda is None else cuda
    if requested == "flash_attention_2":
        if not has_module("flash_attn"):
            raise DistillError(
                "train_student.attention: flash_attention_2 needs flash-attn: pip install 'distill[flash]'"
            )
        if not cuda:
            raise DistillError("train_student.attention: flash_attention_2 needs a CUDA GPU")
        return requested
    if requested != "auto":
        return requested
    if cuda and has_module("flash_attn"):
        return "flash_attention_2"
    return "flex_attention" if cuda else "sdpa"


def resolve_dtype(dtype: str, *, cuda: bool | None = None) -> str:
    """bf16 on a GPU that has it, float32 on CPU (bf16 matmuls on CPU are slow and lossy)."""
    if dtype != "auto":
        return dtype
    cuda = cuda_available() if cuda is None else cuda
    if cuda:
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float32"


def resolve_liger(setting: bool | str, *, cuda: bool | None = None) -> bool:
    """Liger's Triton kernels (RMSNorm, RoPE, SwiGLU) need a GPU. TRL already fuses the LM head + loss."""
    cuda = cuda_available() if cuda is None else cuda
    installed = has_module("liger_kernel")
    if setting == "auto":
        return installed and cuda
    if setting and not installed:
        raise DistillError("train_student.liger: true needs liger-kernel: pip install 'distill[liger]'")
    if setting and not cuda:
        raise DistillError("train_student.liger: true needs a CUDA GPU (Triton kernels)")
    return bool(setting)


def is_local(model: str) -> bool:
    return Path(model).expanduser().exists() or model.startswith((".", "/", "~"))


def read_model_config(model: str) -> dict[str, Any]:
    """config.json of a local directory or a hub model (hub: from the local cache or a download)."""
    if is_local(model):
        path = Path(model).expanduser() / "config.json"
        if not path.parent.exists():
            raise DistillError(f"train_student.model: {model} not found")
        if not path.is_file():
            raise DistillError(f"train_student.model: {model} has no config.json (not a model directory)")
        return json.loads(path.read_text(encoding="utf-8"))
    try:
        from huggingface_hub import hf_hub_download

        path = hf_hub_download(model, "config.json")
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistillError(f"train_student.model: cannot find {model} locally or on the hub ({first})") from None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_config(cfg: Any) -> Any:
    """AutoConfig with the recipe's long-context overrides applied (weights are untouched)."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(cfg.model)
    if cfg.rope_theta is not None:
        rope = getattr(config, "rope_parameters", None)
        if isinstance(rope, dict):
            rope["rope_theta"] = cfg.rope_theta
        config.rope_theta = cfg.rope_theta
    if cfg.max_position_embeddings is not None:
        config.max_position_embeddings = cfg.max_position_embeddings
    limit = getattr(config, "max_position_embeddings", None)
    if limit and cfg.max_length > limit:
        raise DistillError(
            f"train_student.max_length {cfg.max_length} exceeds the model's max_position_embeddings {limit}; "
            "raise rope_theta and max_position_embeddings in the recipe (as open-r1 did for Qwen2.5-Math) or "
            "lower max_length"
        )
    return config


def quantization_config(cfg: Any) -> Any:
    if not (cfg.lora and cfg.lora.qlora):
        return None
    if not has_module("bitsandbytes"):
        raise DistillError("train_student.lora.qlora needs bitsandbytes (and a CUDA GPU): pip install bitsandbytes")
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def load_model(cfg: Any, *, attention: str, dtype: str) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {
        "config": load_config(cfg),
        "dtype": getattr(torch, dtype),
        "attn_implementation": attention,
    }
    quant = quantization_config(cfg)
    if quant is not None:
        kwargs["quantization_config"] = quant
    return AutoModelForCausalLM.from_pretrained(cfg.model, **kwargs)


def peft_config(cfg: Any) -> Any:
    if cfg.lora is None:
        return None
    import peft  # a core dependency of distill

    lora = cfg.lora
    return peft.LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        task_type="CAUSAL_LM",
        bias="none",
    )
