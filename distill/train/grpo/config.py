"""Recipe section for `distill train-teacher` and `distill train-baseline` (GRPO through TRL).

    train_teacher:                 # or train_baseline: the same section
      model: Qwen/Qwen2.5-32B
      prompts: {kind: toy, name: arithmetic, limit: 256}   # distill.sources.SourceConfig
      template: r1_zero            # r1_zero | chat | plain
      rewards: {accuracy: 1.0, format: 0.2}
      backend: vllm                # vllm | transformers
      vllm_mode: colocate          # colocate | server
      budget: {max_generated_tokens: 50_000_000}
      grpo: {num_generations: 16, temperature: 1.0, beta: 0.001, ...}   # -> trl.GRPOConfig

Standard library only, so a recipe loads without importing torch or TRL; `validate` checks the
`grpo` and `lora` pass-through mappings against TRL/PEFT when `distill validate` runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from distill import ranges
from distill.sources import SourceConfig

# Keys of trl.GRPOConfig that distill sets from the rest of the section; a recipe sets them there.
RESERVED_GRPO_KEYS = (
    "output_dir",
    "seed",
    "use_vllm",
    "vllm_mode",
    "reward_weights",
    "resume_from_checkpoint",
)

# The rewards the registry knows (distill/train/rewards/); checked here so a typo fails at load.
REWARD_NAMES = ("accuracy", "format", "language", "overlong", "reflection")


@dataclass
class BudgetConfig:
    """Stop training when a compute budget is spent, so an RL baseline can be matched to the
    distillation run it is compared with (see docs/grpo.md, "Matching compute")."""

    max_generated_tokens: int | None = None  # completion tokens sampled during GRPO, all processes
    max_wall_hours: float | None = None
    max_gpu_hours: float | None = None  # wall hours x number of training processes (GPUs)
    # A `distill generate` output directory (or its manifest.json): max_generated_tokens becomes the
    # completion tokens the teacher sampled there, i.e. the distillation data's generation cost.
    match_generate: str | None = None

    def __post_init__(self) -> None:
        ranges.count("budget.max_generated_tokens", self.max_generated_tokens, optional=True)
        ranges.positive("budget.max_wall_hours", self.max_wall_hours, optional=True)
        ranges.positive("budget.max_gpu_hours", self.max_gpu_hours, optional=True)
        if self.match_generate and self.max_generated_tokens is not None:
            raise ValueError("budget: set max_generated_tokens or match_generate, not both")


@dataclass
class GRPOStageConfig:
    model: str = ""
    # The questions, read by distill.sources (the reader `distill generate` uses), so a baseline can
    # train on the very prompts the distillation data came from: kind toy | files | hf.
    prompts: SourceConfig | None = None
    # Reward name -> weight (TRL reward_weights). `reflection` is always computed and logged; with
    # no weight given it only logs (weight 0).
    rewards: dict[str, float] = field(default_factory=lambda: {"accuracy": 1.0, "format": 0.2})
    backend: Literal["transformers", "vllm"] = "transformers"
    vllm_mode: Literal["colocate", "server"] = "colocate"
    # r1_zero: the R1-Zero plain-text template (base models); chat: system + user messages through the
    # tokenizer's chat template; plain: the problem text alone, or `prompt_template` with {problem}.
    template: Literal["r1_zero", "chat", "plain"] = "r1_zero"
    prompt_template: str | None = None
    system_prompt: str | None = None
    # Target language of the chain of thought for the `language` reward; the filter's language filter
    # decides what counts as that language (en: Latin script, zh: Han).
    language: Literal["en", "zh"] = "en"
    overlong_buffer: int = 0  # DAPO soft penalty zone in tokens; 0 = a quarter of max_completion_length
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    lora: dict[str, Any] | None = None  # -> peft.LoraConfig; omit for full fine-tuning
    plot: bool = True  # write training_curves.png (length, reflection rate, rewards) at the end
    # The GPUs the recipe is written for (training processes, memory of one), for `--plan`'s placement:
    # the policy under ZeRO-3 over `gpus` when more than one, plus colocated or served vLLM rollouts.
    gpus: int = 1
    gpu_memory_gb: float = 80.0
    output_dir: str | None = None
    grpo: dict[str, Any] = field(default_factory=dict)  # -> trl.GRPOConfig, straight through

    def __post_init__(self) -> None:
        if not self.model:
            raise ValueError("'model' is required (a hub id or a local model directory)")
        if self.prompts is None:
            raise ValueError("'prompts' is required (a source: kind toy|files|hf, name, ...)")
        for name in self.rewards:
            if name not in REWARD_NAMES:
                from difflib import get_close_matches

                hint = get_close_matches(name, REWARD_NAMES, n=1)
                extra = f"; did you mean '{hint[0]}'?" if hint else f"; known rewards: {', '.join(REWARD_NAMES)}"
                raise ValueError(f"unknown reward '{name}' in rewards{extra}")
        if not any(w != 0 for w in self.rewards.values()):
            raise ValueError("rewards: at least one reward needs a non-zero weight")
        if self.prompt_template is not None and "{problem}" not in self.prompt_template:
            raise ValueError("prompt_template must contain '{problem}'")
        if self.overlong_buffer < 0:
            raise ValueError("overlong_buffer must be >= 0")
        for name, weight in self.rewards.items():
            ranges.number(f"rewards.{name}", weight)
        ranges.passthrough("grpo", self.grpo)

    def validate(self, file: str, path: str) -> None:
        """Deep checks: the pass-through mappings against their config classes (read from source, no import)."""
        from distill.config_fields import check_passthrough

        check_passthrough(
            self.grpo,
            "trl.trainer.grpo_config",
            "GRPOConfig",
            file=file,
            path=f"{path}.grpo",
            reserved=RESERVED_GRPO_KEYS,
        )
        if self.lora is not None:
            check_passthrough(self.lora, "peft.tuners.lora.config", "LoraConfig", file=file, path=f"{path}.lora")
