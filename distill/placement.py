"""Placement: does a model fit the GPUs a recipe names? From config.json alone (no weights loaded).

    vLLM (generate, GRPO rollouts):  weights / (tensor × pipeline parallel)  +  KV cache for at least
                                     one max_model_len sequence  +  overhead  ≤  gpu_memory_utilization × GPU
    training (GRPO policy):          train/memory_plan.py (weights, gradients, optimizer, activations)

Parameters are counted from the config, mixture-of-experts and multi-head latent attention included
(DeepSeek-V3/R1: 671B), and weights take one byte each when config.json declares FP8 quantization
(DeepSeek-R1 ships FP8). An estimate to catch a recipe that cannot start (e.g. 671 GB of FP8
weights on 8 x 80 GB), not a substitute for vLLM's own profiling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distill.model_size import count_params, text_config

GB = 1e9
GiB = 2**30
VLLM_OVERHEAD_GIB = 4.0  # CUDA graphs, activations of the largest batch, NCCL buffers (order of magnitude)
DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4, "auto": 2, "fp8": 1}


def weight_bytes_per_param(config: dict[str, Any], dtype: str = "auto") -> float:
    quant = config.get("quantization_config") or {}
    method = str(quant.get("quant_method", "")).lower()
    if method == "fp8" or "float8" in str(quant.get("fmt", "")):
        return 1.0
    if method in ("awq", "gptq") and int(quant.get("bits", 16)) == 4:
        return 0.55
    return float(DTYPE_BYTES.get(dtype, 2))


def kv_bytes_per_token(config: dict[str, Any], kv_dtype_bytes: int = 2) -> tuple[int, bool]:
    """KV cache bytes per token over all layers, and whether it is latent (MLA: not split by TP)."""
    c = text_config(config)
    layers = int(c["num_hidden_layers"])
    if c.get("kv_lora_rank"):
        return (int(c["kv_lora_rank"]) + int(c["qk_rope_head_dim"])) * layers * kv_dtype_bytes, True
    heads = int(c["num_attention_heads"])
    kv_heads = int(c.get("num_key_value_heads") or heads)
    head_dim = int(c.get("head_dim") or int(c["hidden_size"]) // heads)
    return 2 * kv_heads * head_dim * layers * kv_dtype_bytes, False


@dataclass
class VllmPlacement:
    params: int
    bytes_per_param: float
    tensor_parallel: int
    pipeline_parallel: int
    gpu_memory_gb: float
    utilization: float
    max_model_len: int
    weights_gib: float  # per GPU
    kv_per_sequence_gib: float  # per GPU, one max_model_len sequence
    kv_budget_gib: float  # per GPU, what is left for the KV cache

    @property
    def gpus(self) -> int:
        return self.tensor_parallel * self.pipeline_parallel

    @property
    def fits(self) -> bool:
        return self.kv_budget_gib >= self.kv_per_sequence_gib > 0 or (
            self.kv_budget_gib > 0 and self.kv_per_sequence_gib == 0
        )

    @property
    def sequences(self) -> int:
        return int(self.kv_budget_gib / self.kv_per_sequence_gib) if self.kv_per_sequence_gib > 0 and self.fits else 0

    def lines(self) -> list[str]:
        total_gb = self.params * self.bytes_per_param / GB
        out = [
            f"vLLM placement: {self.params / 1e9:.0f}B params x {self.bytes_per_param:g} byte = {total_gb:.0f} GB of "
            f"weights over {self.gpus} GPU(s) (tensor {self.tensor_parallel} x pipeline {self.pipeline_parallel}) "
            f"of {self.gpu_memory_gb:g} GB at gpu_memory_utilization {self.utilization:g}",
            f"  weights        {self.weights_gib:8.1f} GiB per GPU",
            f"  overhead       {VLLM_OVERHEAD_GIB:8.1f} GiB per GPU",
            f"  KV cache left  {self.kv_budget_gib:8.1f} GiB per GPU; one {self.max_model_len}-token sequence needs "
            f"{self.kv_per_sequence_gib:.2f} GiB -> {self.sequences} sequence(s) of max_model_len at once",
        ]
        if not self.fits:
            out.append(
                "  DOES NOT FIT: more GPUs (pipeline_parallel_size over nodes), larger GPUs, or a shorter max_model_len"
            )
        return out


def plan_vllm(
    config: dict[str, Any],
    *,
    tensor_parallel: int,
    pipeline_parallel: int = 1,
    gpu_memory_gb: float,
    utilization: float,
    max_model_len: int | None,
    dtype: str = "auto",
) -> VllmPlacement:
    params = count_params(config)
    per_param = weight_bytes_per_param(config, dtype)
    gpus = tensor_parallel * pipeline_parallel
    weights = params * per_param / gpus / GiB
    length = int(max_model_len or text_config(config).get("max_position_embeddings") or 4096)
    per_token, latent = kv_bytes_per_token(config)
    # KV is split over pipeline stages (layers); TP splits heads, but MLA's latent cache is replicated.
    kv_seq = per_token * length / pipeline_parallel / (1 if latent else tensor_parallel) / GiB
    budget = gpu_memory_gb * GB * utilization / GiB - weights - VLLM_OVERHEAD_GIB
    return VllmPlacement(
        params,
        per_param,
        tensor_parallel,
        pipeline_parallel,
        gpu_memory_gb,
        utilization,
        length,
        weights,
        kv_seq,
        budget,
    )


def read_config(model: str, *, key: str) -> dict[str, Any] | None:
    """config.json of a local directory or of a hub model already in the local cache (no download)."""
    import json
    from pathlib import Path

    local = Path(model).expanduser()
    if local.is_dir():
        path = local / "config.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model, "config.json")
    except Exception:  # not a valid repo id: the engine reports it
        return None
    return json.loads(Path(cached).read_text(encoding="utf-8")) if isinstance(cached, str) else None


def generate_placement(cfg: Any) -> VllmPlacement | None:
    """The vLLM placement of a generate section (None: not vLLM, or the teacher's config.json is not local)."""
    if cfg.engine != "vllm":
        return None
    config = read_config(cfg.teacher, key="generate.teacher")
    if config is None:
        return None
    v = cfg.vllm
    return plan_vllm(
        config,
        tensor_parallel=v.tensor_parallel_size,
        pipeline_parallel=int(v.engine_args.get("pipeline_parallel_size", 1)),
        gpu_memory_gb=v.gpu_memory_gb,
        utilization=v.gpu_memory_utilization,
        max_model_len=v.max_model_len,
        dtype=v.dtype,
    )


def check_generate_placement(cfg: Any, *, required: bool = False) -> list[str]:
    """Placement lines of a generate section; DistillError when it cannot fit (or, `required`, is unknown)."""
    from distill.errors import DistillError

    placement = generate_placement(cfg)
    if placement is None:
        if required and cfg.engine == "vllm":
            raise DistillError(
                f"generate.teacher: no config.json for {cfg.teacher} here; download it first "
                f"(hf download {cfg.teacher} config.json) or give a local directory"
            )
        return []
    if not placement.fits:
        raise DistillError(
            f"generate.vllm: {cfg.teacher} does not fit: {placement.weights_gib:.0f} GiB of weights per GPU "
            f"leave {placement.kv_budget_gib:.1f} GiB for the KV cache of {placement.gpus} x "
            f"{placement.gpu_memory_gb:g} GB GPUs (one {placement.max_model_len}-token sequence needs "
            f"{placement.kv_per_sequence_gib:.2f}); raise pipeline_parallel_size over more nodes, "
            "use larger GPUs (generate.vllm.gpu_memory_gb) or lower max_model_len"
        )
    return placement.lines()


PROMPT_TOKENS = 1024  # a GRPO prompt's length when the recipe does not bound it (TRL 1.x has no max_prompt_length)


@dataclass
class GRPOPlacement:
    training: Any  # train.memory_plan.MemoryPlan of the policy
    rollout: VllmPlacement | None  # colocated vLLM (shares each training GPU) or the server's GPUs
    colocate: bool
    gpu_memory_gb: float
    vllm_share: float

    @property
    def per_gpu_gib(self) -> float:
        train = self.training.total(self.training.gradient_checkpointing)
        return train + (self.vllm_share * self.gpu_memory_gb * GB / GiB if self.colocate else 0.0)

    @property
    def fits(self) -> bool:
        rollout_ok = self.rollout is None or self.rollout.fits
        return self.per_gpu_gib <= self.gpu_memory_gb * GB / GiB and rollout_ok

    def lines(self) -> list[str]:
        out = ["GRPO placement: the policy's training memory per GPU"] + self.training.lines()
        if self.colocate:
            out.append(
                f"  + colocated vLLM {self.vllm_share:g} x {self.gpu_memory_gb:g} GB "
                f"-> {self.per_gpu_gib:.1f} GiB per GPU"
            )
        if self.rollout is not None:
            out += ["rollouts (" + ("colocated" if self.colocate else "vLLM server, its own GPUs") + "):"]
            out += ["  " + line for line in self.rollout.lines()]
        if not self.fits:
            out.append(
                "  WARNING: does not fit; more GPUs (train_teacher.gpus), LoRA, a smaller per_device_train_batch_size "
                "or shorter completions"
            )
        return out


def plan_grpo(config: dict[str, Any], cfg: Any) -> GRPOPlacement:
    """The GRPO stage's placement: policy training (ZeRO-3 over `gpus` when more than one) + rollouts."""
    from types import SimpleNamespace

    from distill.train.memory_plan import Strategy, plan_memory

    g = cfg.grpo
    completion = int(g.get("max_completion_length") or 512)
    batch = int(g.get("per_device_train_batch_size") or 8)
    lora = SimpleNamespace(r=int(cfg.lora.get("r", 8)), qlora=False) if cfg.lora else None
    shim = SimpleNamespace(
        lora=lora,
        max_length=PROMPT_TOKENS + completion,
        gpu_memory_gb=cfg.gpu_memory_gb,
        gradient_checkpointing=bool(g.get("gradient_checkpointing", True)),
    )
    strategy = Strategy("zero3" if cfg.gpus > 1 else "single", cfg.gpus)
    training = plan_memory(config, shim, dtype="bfloat16", strategy=strategy, batch_size=batch)
    rollout = None
    colocate = cfg.backend == "vllm" and cfg.vllm_mode == "colocate"
    share = float(g.get("vllm_gpu_memory_utilization", 0.3))
    if cfg.backend == "vllm":
        rollout = plan_vllm(
            config,
            tensor_parallel=int(g.get("vllm_tensor_parallel_size", 1)),
            gpu_memory_gb=cfg.gpu_memory_gb,
            utilization=share if colocate else 0.9,
            max_model_len=int(g.get("vllm_max_model_length") or PROMPT_TOKENS + completion),
        )
    return GRPOPlacement(training, rollout, colocate, cfg.gpu_memory_gb, share)
