"""Memory per GPU before training, from config.json alone (no weights are loaded).

    weights + gradients + optimizer states   under the strategy (single / DDP / ZeRO-3 / FSDP2 / LoRA)
  + activations                               at per-device batch × max_length, with or without
                                              gradient checkpointing
  + a fixed allowance                         CUDA context, allocator fragmentation, comm buffers

Bytes per parameter (AdamW): bf16 weights 2, bf16 grads 2, two bf16 moments 4 when the model is
loaded in bf16 (single GPU, DDP, FSDP2 with bf16 parameters); DeepSpeed ZeRO-3 keeps fp32 master
weights and fp32 moments (12 bytes) beside the bf16 copies, all of it sharded over the processes.
Activations count the tensors a decoder layer saves for backward (norm inputs, q/k/v, attention
output, MLP gate/up/act), no L² attention term because packed attention runs on FlashAttention/
flex kernels; with checkpointing only each layer's input is kept plus one layer being recomputed.
TRL computes the loss in chunks through a fused LM head, so the full logits are never stored.
It is an estimate (±20%): it decides gradient checkpointing and warns before an obvious OOM.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

GiB = 2**30
OVERHEAD_GIB = 3.0  # CUDA context + allocator fragmentation + NCCL buffers, measured order of magnitude
DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}


@dataclass
class ModelShape:
    params: int
    layers: int
    hidden: int
    intermediate: int
    kv_dim: int
    vocab: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ModelShape:
        text = config.get("text_config") or config
        h = int(text["hidden_size"])
        layers = int(text["num_hidden_layers"])
        heads = int(text["num_attention_heads"])
        kv_heads = int(text.get("num_key_value_heads") or heads)
        head_dim = int(text.get("head_dim") or h // heads)
        inter = int(text["intermediate_size"])
        vocab = int(text["vocab_size"])
        q, kv = heads * head_dim, kv_heads * head_dim
        # Qwen2 has q/k/v biases; Llama does not (attention_bias false).
        bias = (q + 2 * kv) if (text.get("model_type") == "qwen2" or text.get("attention_bias")) else 0
        per_layer = h * q + 2 * h * kv + q * h + bias + 3 * h * inter + 2 * h
        embed = vocab * h
        head = 0 if config.get("tie_word_embeddings", text.get("tie_word_embeddings", False)) else vocab * h
        params = layers * per_layer + embed + head + h
        if (
            text.get("kv_lora_rank")
            or text.get("n_routed_experts")
            or text.get("num_experts")
            or text.get("num_local_experts")
        ):
            # Mixture-of-experts and latent attention (DeepSeek-V3: 671B, not the 39B the dense formula
            # gives): every expert's weights, gradients and optimizer states are held, active or not.
            from distill.model_size import count_params

            params = count_params(config)
        return cls(params, layers, h, inter, kv, vocab)


@dataclass
class Strategy:
    name: str  # single, ddp, zero3, zero2, fsdp2, fsdp1
    world_size: int

    @property
    def shards(self) -> int:
        return self.world_size if self.name in ("zero3", "fsdp2", "fsdp1") else 1


def strategy_from_accelerate(path: str | None, world_size: int) -> Strategy:
    """Read the sharding strategy from an accelerate config file (none: one process or DDP)."""
    if not path:
        return Strategy("ddp" if world_size > 1 else "single", world_size)
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    kind = str(data.get("distributed_type", "NO")).upper()
    if world_size == 1:
        world_size = int(data.get("num_processes") or 1)
    if kind == "DEEPSPEED":
        stage = int((data.get("deepspeed_config") or {}).get("zero_stage", 0))
        return Strategy("zero3" if stage == 3 else f"zero{stage}", world_size)
    if kind == "FSDP":
        version = int((data.get("fsdp_config") or {}).get("fsdp_version", 1))
        return Strategy(f"fsdp{version}", world_size)
    return Strategy("ddp" if world_size > 1 else "single", world_size)


@dataclass
class MemoryPlan:
    shape: ModelShape
    strategy: Strategy
    dtype: str
    tokens_per_device: int
    lora: bool
    qlora: bool
    weights_gib: float
    grads_gib: float
    optimizer_gib: float
    activations_gib: float
    activations_ckpt_gib: float
    gpu_memory_gb: float
    gradient_checkpointing: bool

    def total(self, checkpointing: bool) -> float:
        act = self.activations_ckpt_gib if checkpointing else self.activations_gib
        return self.weights_gib + self.grads_gib + self.optimizer_gib + act + OVERHEAD_GIB

    @property
    def fits(self) -> bool:
        return self.total(self.gradient_checkpointing) <= self.gpu_memory_gb

    def lines(self) -> list[str]:
        s = self.strategy
        mode = "QLoRA (4-bit base)" if self.qlora else "LoRA" if self.lora else "full fine-tune"
        gc = "on" if self.gradient_checkpointing else "off"
        out = [
            f"memory plan: {_count(self.shape.params)} params, {mode}, {s.name} over {s.world_size} process(es), "
            f"{self.dtype}, {self.tokens_per_device} tokens per device step",
            f"  weights      {self.weights_gib:8.1f} GiB",
            f"  gradients    {self.grads_gib:8.1f} GiB",
            f"  optimizer    {self.optimizer_gib:8.1f} GiB",
            f"  activations  {self.activations_gib:8.1f} GiB without checkpointing, "
            f"{self.activations_ckpt_gib:.1f} GiB with",
            f"  overhead     {OVERHEAD_GIB:8.1f} GiB",
            f"  total        {self.total(self.gradient_checkpointing):8.1f} GiB per GPU (gradient checkpointing {gc}; "
            f"{self.total(not self.gradient_checkpointing):.1f} GiB with it "
            f"{'off' if self.gradient_checkpointing else 'on'}) "
            f"of {self.gpu_memory_gb:g} GB",
        ]
        if not self.fits:
            out.append("  WARNING: does not fit; use ZeRO-3/FSDP2 over more GPUs, LoRA, or a shorter max_length")
        return out


def _count(n: int) -> str:
    return f"{n / 1e9:.2f}B" if n >= 1e9 else f"{n / 1e6:.1f}M"


def plan_memory(config: dict[str, Any], cfg: Any, *, dtype: str, strategy: Strategy, batch_size: int) -> MemoryPlan:
    shape = ModelShape.from_config(config)
    p = shape.params
    wbytes = DTYPE_BYTES.get(dtype, 2)
    shards = strategy.shards
    lora = cfg.lora is not None
    qlora = bool(lora and cfg.lora.qlora)
    if lora:
        r = cfg.lora.r
        # LoRA on every linear layer of every block: r × (in + out) per matrix.
        trainable = (
            shape.layers
            * r
            * (
                2 * shape.hidden
                + 2 * shape.hidden
                + 2 * (shape.hidden + shape.kv_dim)
                + 3 * (shape.hidden + shape.intermediate)
            )
        )
        weights = (p * (0.55 if qlora else wbytes)) / shards + trainable * 4
        grads = trainable * 4
        optim = trainable * 8
    elif strategy.name == "zero3":
        weights, grads, optim = 2 * p / shards, 2 * p / shards, 12 * p / shards
    elif strategy.name in ("zero2", "zero1"):
        weights, grads, optim = 2 * p, 2 * p / (shards if strategy.name == "zero2" else 1), 12 * p / strategy.world_size
    else:
        weights, grads, optim = wbytes * p / shards, wbytes * p / shards, 2 * wbytes * p / shards
        if strategy.name == "ddp":
            grads += wbytes * p  # DDP's gradient buckets hold a second copy of the gradients
    tokens = batch_size * cfg.max_length
    per_token_layer = 2 * (7 * shape.hidden + 2 * shape.kv_dim + 4 * shape.intermediate)
    full = tokens * shape.layers * per_token_layer
    ckpt = tokens * shape.layers * shape.hidden * 2 + tokens * per_token_layer
    plan = MemoryPlan(
        shape,
        strategy,
        dtype,
        tokens,
        lora,
        qlora,
        weights / GiB,
        grads / GiB,
        optim / GiB,
        full / GiB,
        ckpt / GiB,
        cfg.gpu_memory_gb,
        False,
    )
    setting = cfg.gradient_checkpointing
    plan.gradient_checkpointing = setting if isinstance(setting, bool) else plan.total(False) > 0.9 * cfg.gpu_memory_gb
    return plan
