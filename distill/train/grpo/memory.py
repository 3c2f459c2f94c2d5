"""Gradient checkpointing for GRPO: off when the training step fits without it.

TRL's GRPOConfig turns gradient checkpointing on by default, which recomputes every layer's forward
during the backward pass (about a third more training compute) whether or not memory needs it; TRL's
docs recommend turning it off when memory allows. distill decides it the way the SFT memory plan
does (distill.train.memory_plan), for the GRPO step's shape: per-device batch x (prompt + completion)
tokens, plus the fp32 logits of the completion tokens that GRPO's log-prob pass holds. On a CPU there
is no device memory to save, so it is off. A recipe's `grpo.gradient_checkpointing` always wins.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

PROMPT_TOKENS_ALLOWANCE = 512  # prompts are short next to completions; a generous allowance


def step_tokens(grpo: dict[str, Any], max_completion_length: int) -> int:
    batch = int(grpo.get("per_device_train_batch_size", 8))
    return batch * (PROMPT_TOKENS_ALLOWANCE + max_completion_length)


def needs_checkpointing(
    model_config: dict[str, Any] | None,
    grpo: dict[str, Any],
    *,
    max_completion_length: int,
    device_gib: float | None,
    colocated_vllm_fraction: float = 0.0,
) -> bool:
    """True when the step without checkpointing would not fit in 90% of the device memory left to
    training (vLLM colocated on the same device takes its `vllm_gpu_memory_utilization` share)."""
    if device_gib is None:  # CPU: nothing to save, only recomputation to pay
        return False
    if model_config is None:  # unknown shape: keep TRL's default
        return True
    from distill.train.memory_plan import ModelShape, Strategy, plan_memory

    tokens = step_tokens(grpo, max_completion_length)
    batch = int(grpo.get("per_device_train_batch_size", 8))
    available = device_gib * (1.0 - colocated_vllm_fraction)
    cfg = SimpleNamespace(lora=None, max_length=tokens // batch, gpu_memory_gb=available, gradient_checkpointing="auto")
    plan = plan_memory(model_config, cfg, dtype="bfloat16", strategy=Strategy("single", 1), batch_size=batch)
    completion_logits_gib = batch * max_completion_length * ModelShape.from_config(model_config).vocab * 4 / 2**30
    return plan.total(False) + completion_logits_gib > 0.9 * available


def device_memory_gib() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    return torch.cuda.get_device_properties(0).total_memory / 2**30


def default_checkpointing(model: str, grpo: dict[str, Any], *, max_completion_length: int, vllm_colocate: bool) -> bool:
    """The value distill passes to trl.GRPOConfig when the recipe does not set it."""
    device = device_memory_gib()
    if device is None:
        return False
    from distill.errors import DistillError
    from distill.train.model_loading import read_model_config

    try:
        config = read_model_config(model)
    except DistillError:
        config = None  # the trainer reports a missing model itself; keep TRL's default here
    fraction = float(grpo.get("vllm_gpu_memory_utilization", 0.3)) if vllm_colocate else 0.0
    return needs_checkpointing(
        config, grpo, max_completion_length=max_completion_length, device_gib=device, colocated_vllm_fraction=fraction
    )
