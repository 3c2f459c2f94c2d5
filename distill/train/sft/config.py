"""Recipe section `train_student`: SFT of a student on filtered traces (issue 5), or with
`method: on_policy` on-policy distillation from a teacher (its keys: on_policy_config.py).

Standard library only, so a recipe loads without importing torch or TRL. The `sft` mapping is handed
straight to `trl.SFTConfig`, so every TRL option is available; `validate` checks it against
SFTConfig's own fields (a typo gets the closest field name) and refuses the keys distill sets itself.

    train_student:
      model: Qwen/Qwen2.5-Math-7B          # hub id or local directory
      dataset: runs/r1/filter/data         # default: the filter stage's output
      max_length: 32768
      attention: auto                      # flash_attention_2 if installed, else flex/sdpa
      accelerate_config: recipes/accelerate/zero3.yaml
      num_processes: 8
      sft: {learning_rate: 8.0e-5, num_train_epochs: 3, lr_scheduler_type: cosine}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from distill import ranges
from distill.train.on_policy_config import OnPolicySection

Attention = Literal["auto", "flash_attention_2", "sdpa", "flex_attention", "eager"]

# SFTConfig keys distill derives from the rest of the section; setting them under `sft` would be
# ambiguous (two places for one value), so `validate` refuses them and names the section key to use.
RESERVED_SFT_KEYS: dict[str, str] = {
    "output_dir": "train_student.output_dir",
    "max_length": "train_student.max_length",
    "packing": "train_student.packing",
    "padding_free": "train_student.packing",
    "assistant_only_loss": "(always on: loss on assistant tokens only)",
    "completion_only_loss": "(always on: loss on assistant tokens only)",
    "eos_token": "train_student.eos_token",
    "pad_token": "(chosen by distill, distinct from EOS)",
    "chat_template_path": "train_student.chat_template",
    "model_init_kwargs": "train_student.dtype / attention / rope_theta",
    "use_liger_kernel": "train_student.liger",
    "gradient_checkpointing": "train_student.gradient_checkpointing",
    "bf16": "train_student.dtype",
    "fp16": "train_student.dtype",
    "seed": "the recipe's top-level seed",
    "resume_from_checkpoint": "train_student.resume / --resume",
    "dataset_text_field": "train_student.messages_column",
}


@dataclass
class LoraSection:
    """LoRA / QLoRA through PEFT. `qlora: true` loads the frozen base in 4-bit NF4 (bitsandbytes, GPU)."""

    r: int = 64
    alpha: int = 128
    dropout: float = 0.05
    target_modules: list[str] | str = "all-linear"
    qlora: bool = False

    def __post_init__(self) -> None:
        if self.r <= 0:
            raise ValueError("lora.r must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("lora.dropout must be in [0, 1)")
        ranges.positive("lora.alpha", self.alpha)


@dataclass
class StudentConfig:
    # sft: supervised fine-tuning on traces (`sft:` below); on_policy: the student samples and a
    # teacher scores every token (TRL's DistillationTrainer, `on_policy:` below), usually after SFT.
    method: Literal["sft", "on_policy"] = "sft"
    # The student: a hub id or a local directory with config.json (+ weights, tokenizer).
    model: str = ""
    # SFT data: a dataset directory, a JSONL/Parquet file, or a hub id. Empty: `<filter stage dir>/data`.
    dataset: str = ""
    dataset_split: str = "train"
    # Conversational column (list of {role, content}); trace records (problem + completion) work too.
    messages_column: str = "messages"
    output_dir: str | None = None

    # Sequence length per packed row; traces longer than this are dropped (never truncated: a cut
    # trace has no EOS and teaches the student not to stop).
    max_length: int = 16384
    packing: bool = True
    attention: Attention = "auto"
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    liger: bool | Literal["auto"] = "auto"
    gradient_checkpointing: bool | Literal["auto"] = "auto"
    lora: LoraSection | None = None

    # "auto": keep the model's template if it renders <think> and trains the stop token, else install
    # distill's ChatML; "distill": always ChatML; "model": keep the model's or fail; or a .jinja path.
    chat_template: str = "auto"
    # The model's default system prompt (what its template renders for a row without a system turn,
    # e.g. Qwen2.5-Math's "Please reason step by step..."): "model" keeps what the template does (as at
    # inference with the same template), "none" drops it, any other text is the system turn of every
    # row that has none.
    system_prompt: str = "model"
    # Stop token the student learns; empty: the end-of-turn token the chat template emits.
    eos_token: str = ""
    # Long-context overrides written into the model config before loading (Qwen2.5-Math has 4K).
    rope_theta: float | None = None
    max_position_embeddings: int | None = None

    # Scale-out: more than one process (or an accelerate config) re-launches through `accelerate launch`.
    accelerate_config: str | None = None
    num_processes: int = 1
    num_machines: int = 1
    machine_rank: int = 0
    main_process_ip: str | None = None
    main_process_port: int = 29500
    # Memory of one GPU, for the plan printed before training and for gradient checkpointing "auto".
    gpu_memory_gb: float = 80.0

    # "auto": continue from the last checkpoint in output_dir when there is one.
    resume: bool | Literal["auto"] = "auto"
    # Passed straight to trl.SFTConfig (learning_rate, num_train_epochs, per_device_train_batch_size, ...).
    sft: dict[str, Any] = field(default_factory=dict)
    # method: on_policy only: teacher, prompts, budget and the trl.DistillationConfig pass-through.
    on_policy: OnPolicySection | None = None

    def __post_init__(self) -> None:
        if self.max_length < 16:
            raise ValueError("max_length must be at least 16")
        if self.num_processes < 1 or self.num_machines < 1:
            raise ValueError("num_processes and num_machines must be at least 1")
        if not 0 <= self.machine_rank < self.num_machines:
            raise ValueError("machine_rank must be in [0, num_machines)")
        if self.gpu_memory_gb <= 0:
            raise ValueError("gpu_memory_gb must be positive")
        ranges.positive("gpu_memory_gb", self.gpu_memory_gb)
        ranges.positive("rope_theta", self.rope_theta, optional=True)
        ranges.count("max_position_embeddings", self.max_position_embeddings, optional=True)
        ranges.count("main_process_port", self.main_process_port)
        ranges.passthrough("sft", self.sft)
        if self.method == "on_policy" and self.on_policy is None:
            raise ValueError("method: on_policy needs an 'on_policy' section (teacher, prompts, ...)")
        if self.method == "sft" and self.on_policy is not None:
            raise ValueError("'on_policy' is read only with method: on_policy (this section trains with sft)")

    @property
    def world_size(self) -> int:
        return self.num_processes * self.num_machines

    def validate(self, file: str, path: str) -> None:
        """Deep checks: required model, the `sft` pass-through against trl.SFTConfig."""
        from distill.config_fields import check_passthrough
        from distill.errors import ConfigError

        if not self.model:
            raise ConfigError(f"{file}: missing required key '{path}.model' (hub id or local model directory)")
        for key in self.sft:
            if key in RESERVED_SFT_KEYS:
                raise ConfigError(
                    f"{file}: key '{path}.sft.{key}' is set by distill from {RESERVED_SFT_KEYS[key]}; remove it"
                )
        if self.method == "on_policy":
            if self.sft:
                raise ConfigError(
                    f"{file}: key '{path}.sft' is not read with method: on_policy; "
                    f"TRL options go under '{path}.on_policy.distillation'"
                )
            assert self.on_policy is not None  # __post_init__ requires it with method: on_policy
            self.on_policy.validate(file=file, path=f"{path}.on_policy")
            return
        # Checked against SFTConfig's fields read from TRL's source: `distill validate` stays fast.
        check_passthrough(
            self.sft,
            "trl.trainer.sft_config",
            "SFTConfig",
            file=file,
            path=f"{path}.sft",
            reserved=tuple(RESERVED_SFT_KEYS),
        )
