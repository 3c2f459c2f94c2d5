"""Recipe keys of `train_student` with `method: on_policy`: on-policy distillation through TRL's
DistillationTrainer, usually after SFT (the SFT student is the starting `model`).

    train_on_policy:                         # a train_student section run by `distill train-student`
      method: on_policy
      model: ${output_dir}/train_student     # the SFT-distilled student
      on_policy:
        teacher: ${output_dir}/train_teacher # hub id or local directory; must share the student's tokenizer
        prompts: {kind: files, name: data/prompts.jsonl}   # distill.sources.SourceConfig, as for GRPO
        template: chat                       # chat | r1_zero | plain (distill.train.grpo.data)
        budget: {match_stage: ${output_dir}/train_baseline}   # stop at the RL baseline's generated tokens
        eval_holdout: {prompts: 64, every_steps: 25}          # greedy accuracy on 64 prompts kept out of training
        distillation: {beta: 1.0, max_completion_length: 1024, learning_rate: 1.0e-6}   # -> trl.DistillationConfig

Standard library only, so a recipe loads without importing torch or TRL; `validate` checks the
`distillation` mapping against trl.DistillationConfig when `distill validate` runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from distill.sources import SourceConfig
from distill.train.grpo.config import BudgetConfig

# trl.DistillationConfig keys distill sets from the rest of the section (two places for one value
# would be ambiguous): the key -> where to set it instead.
RESERVED_DISTILLATION_KEYS: dict[str, str] = {
    "output_dir": "train_student.output_dir",
    "seed": "the recipe's top-level seed",
    "resume_from_checkpoint": "train_student.resume / --resume",
    "teacher_model_name_or_path": "train_student.on_policy.teacher",
    "model_init_kwargs": "train_student.dtype / attention (distill loads the student)",
    "bf16": "train_student.dtype",
    "fp16": "train_student.dtype",
}


# A teacher behind a server: TRL 1.16 has it only as trl.experimental's ServerDistillationTrainer
# (a vLLM server's prompt_logprobs, top-1 support for the reverse KL), which distill does not wire;
# docs/train-student.md says why. These keys are that trainer's.
SERVER_KEYS = ("teacher_model_server_url", "loss_top_k", "loss_add_tail", "reverse_kl_top_1_mode")
SERVED_TEACHER_REFUSAL = (
    "a teacher behind a server is not supported: TRL 1.16 scores on-policy samples with a server teacher only in "
    "trl.experimental (vLLM server, top-1 logprobs), which distill does not wire; give on_policy.teacher as a hub id "
    "or local model directory (docs/train-student.md, On-policy distillation)"
)


@dataclass
class OnPolicyBudget(BudgetConfig):
    """GRPO's budget (generated tokens, wall hours, GPU hours, match_generate), plus `match_stage`:
    a training stage's output directory (or its manifest.json), typically the RL baseline's, whose
    `counts.generated_tokens` becomes max_generated_tokens, so both methods sample as much."""

    match_stage: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        given = [k for k in ("max_generated_tokens", "match_generate", "match_stage") if getattr(self, k)]
        if len(given) > 1:
            raise ValueError(
                f"budget: set only one of max_generated_tokens, match_generate, match_stage (got {', '.join(given)})"
            )


@dataclass
class HoldoutConfig:
    """Accuracy on prompts the student never trains on, during training: every `every_steps` steps
    (and before the first and after the last) the student answers them greedily and distill's
    verifier (GRPO's accuracy reward) scores the answers; metrics.jsonl gets `holdout/accuracy`.
    The held-out prompts are also TRL's eval_dataset, so `distillation.eval_strategy: steps` adds
    TRL's own `eval_loss` (the divergence to the teacher on them)."""

    # An integer N: N of the training prompts, a seeded pick, removed from training. A source
    # (kind/name/..., as `prompts`): those prompts, and any training prompt with the same problem
    # text is removed from training, so nothing held out is trained on.
    # Typed Any and read in __post_init__, so a mistyped source key gets its own one-line message.
    prompts: Any = 0
    every_steps: int = 25
    max_new_tokens: int | None = None  # None: distillation.max_completion_length (what training samples)
    batch_size: int = 32  # prompts per generate call

    def __post_init__(self) -> None:
        if isinstance(self.prompts, dict):
            from distill.config import from_dict
            from distill.errors import ConfigError

            try:
                self.prompts = from_dict(SourceConfig, self.prompts, file="eval_holdout.prompts")
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        if isinstance(self.prompts, bool) or not isinstance(self.prompts, (int, SourceConfig)):
            raise ValueError(
                f"eval_holdout.prompts: a count of training prompts to hold out, or a source "
                f"(kind, name, ...); got {self.prompts!r}"[:300]
            )
        if isinstance(self.prompts, int) and self.prompts < 1:
            raise ValueError("eval_holdout.prompts: a count >= 1 of training prompts to hold out, or a source")
        if self.every_steps < 1:
            raise ValueError(f"eval_holdout.every_steps must be >= 1, got {self.every_steps}")
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise ValueError(f"eval_holdout.max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.batch_size < 1:
            raise ValueError(f"eval_holdout.batch_size must be >= 1, got {self.batch_size}")


@dataclass
class OnPolicySection:
    # The teacher that scores every token the student samples: a hub id or a local model directory.
    # TRL's trainer compares full next-token distributions, so it must share the student's tokenizer.
    teacher: str = ""
    # The questions the student answers on-policy, read by distill.sources (the GRPO reader), so the
    # stage can use the very prompts the traces or the RL baseline used.
    prompts: SourceConfig | None = None
    # chat: system + user messages rendered by the student's (checked) chat template, which is what
    # an SFT student was trained on; r1_zero / plain: text prompts (see distill.train.grpo.data).
    template: Literal["chat", "r1_zero", "plain"] = "chat"
    prompt_template: str | None = None
    system_prompt: str | None = None
    budget: OnPolicyBudget = field(default_factory=OnPolicyBudget)
    # Held-out accuracy during training, when asked (see HoldoutConfig); None: no held-out slice.
    eval_holdout: HoldoutConfig | None = None
    plot: bool = True  # training_curves.png: divergence, response length (and held-out accuracy) per step
    # Passed straight to trl.DistillationConfig (beta: 0 forward KL, 0.5 JSD, 1 reverse KL;
    # max_completion_length, temperature, learning_rate, use_vllm, ...).
    distillation: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.teacher:
            raise ValueError("'teacher' is required (a hub id or a local model directory)")
        if self.teacher.startswith(("http://", "https://")):
            raise ValueError(SERVED_TEACHER_REFUSAL)
        if self.prompts is None:
            raise ValueError("'prompts' is required (a source: kind toy|files|hf, name, ...)")
        if self.prompt_template is not None and "{problem}" not in self.prompt_template:
            raise ValueError("prompt_template must contain '{problem}'")

    def validate(self, file: str, path: str) -> None:
        """The `distillation` pass-through against trl.DistillationConfig, read from TRL's source
        (no import: `distill validate` stays fast)."""
        from distill.config_fields import check_passthrough
        from distill.errors import ConfigError

        for key in self.distillation:
            if key in SERVER_KEYS:
                raise ConfigError(f"{file}: key '{path}.distillation.{key}': {SERVED_TEACHER_REFUSAL}")
            if key in RESERVED_DISTILLATION_KEYS:
                raise ConfigError(
                    f"{file}: key '{path}.distillation.{key}' is set by distill from "
                    f"{RESERVED_DISTILLATION_KEYS[key]}; remove it"
                )
        check_passthrough(
            self.distillation,
            "trl.trainer.distillation_config",
            "DistillationConfig",
            file=file,
            path=f"{path}.distillation",
            reserved=tuple(RESERVED_DISTILLATION_KEYS),
        )
        if self.distillation.get("eval_strategy", "no") != "no" and self.eval_holdout is None:
            raise ConfigError(
                f"{file}: key '{path}.distillation.eval_strategy' evaluates on held-out prompts; "
                f"set '{path}.eval_holdout' to say which"
            )
