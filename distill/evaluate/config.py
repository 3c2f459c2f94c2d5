"""Recipe section for `distill eval`: which models, which benchmarks, which backend, R1's protocol.

    eval:
      models: {student: runs/toy/train_student, base: runs/toy/base}
      tasks: [math500, aime24, aime25, gpqa_diamond]
      backend: hf                 # hf | vllm | local-completions | local-chat-completions
      samples: 4                  # k completions per problem: pass@1 = mean, cons@k = majority vote
      task_samples: {aime24: 64}  # k per task where it differs
      data: {math500: /work/shared/benchmarks/math500.jsonl}   # local files instead of the hub

Standard library only: loading a recipe never imports lm-eval or torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from distill import ranges

Backend = Literal["hf", "vllm", "local-completions", "local-chat-completions"]

# R1 (DeepSeek-AI 2025, section 3.1): temperature 0.6, top-p 0.95, up to 32,768 generated tokens.
R1_TEMPERATURE = 0.6
R1_TOP_P = 0.95
R1_MAX_GEN_TOKS = 32768
DEFAULT_TASKS = ["math500", "aime24", "aime25", "gpqa_diamond"]
# Shorthands for `tasks` (also the `tag` of the task YAMLs in distill/evaluate/lm_eval_tasks/).
TASK_GROUPS = {
    "distill_r1": ["aime24", "aime25", "math500", "gpqa_diamond"],
    "distill_toy": ["toy_arithmetic", "toy_countdown"],
}


@dataclass
class EvalConfig:
    output_dir: str | None = None
    # {name: model path or hub id}. Empty: the outputs of this recipe's training stages.
    models: dict[str, str] = field(default_factory=dict)
    tasks: list[str] = field(default_factory=lambda: list(DEFAULT_TASKS))
    backend: Backend = "hf"
    samples: int = 4
    task_samples: dict[str, int] = field(default_factory=dict)
    temperature: float = R1_TEMPERATURE
    top_p: float = R1_TOP_P
    max_gen_toks: int = R1_MAX_GEN_TOKS
    limit: int | None = None  # first N problems per task (smoke runs)
    data: dict[str, str] = field(default_factory=dict)  # {task: local JSONL/Parquet file}
    apply_chat_template: bool = True
    system_instruction: str | None = None
    batch_size: int | str = 1
    # hf backend: torch device; empty: cuda when available, else cpu
    device: str | None = None
    # vllm backend: one model split over GPUs (tensor) and/or replicated (data).
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1
    # local-* backends: the OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1
    base_url: str | None = None
    num_concurrent: int = 8
    # tokenizer for length counts (and local-completions); default: the model path
    tokenizer: str | None = None
    # extra lm-eval model_args, passed through as-is (e.g. {dtype: bfloat16, gpu_memory_utilization: 0.9})
    model_args: dict[str, Any] = field(default_factory=dict)
    # toy tasks: how many test problems and which difficulty
    toy_problems: int = 100
    toy_difficulty: int = 1
    # lm-eval task directory; empty: the one that ships inside distill (distill/evaluate/lm_eval_tasks/)
    task_dir: str | None = None

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise ValueError(f"samples must be >= 1, got {self.samples}")
        for task, k in self.task_samples.items():
            if k < 1:
                raise ValueError(f"task_samples.{task} must be >= 1, got {k}")
        if not self.tasks:
            raise ValueError("tasks must name at least one task")
        expanded = [t for name in self.tasks for t in TASK_GROUPS.get(name, [name])]
        self.tasks = list(dict.fromkeys(expanded))  # groups expanded, duplicates dropped, order kept
        if self.max_gen_toks < 1:
            raise ValueError(f"max_gen_toks must be >= 1, got {self.max_gen_toks}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be >= 1, got {self.limit}")
        if not 0.0 <= self.temperature:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        ranges.temperature("temperature", self.temperature)
        ranges.names("models", self.models)  # each model's results go to <eval dir>/<name>
        for key in ("tensor_parallel_size", "data_parallel_size", "num_concurrent", "toy_problems", "toy_difficulty"):
            ranges.count(key, getattr(self, key))
        size = (
            int(self.batch_size) if isinstance(self.batch_size, str) and self.batch_size.isdigit() else self.batch_size
        )
        if not (isinstance(size, str) and size.startswith("auto")):
            ranges.count("batch_size (or 'auto')", size)

    def k_for(self, task: str) -> int:
        return self.task_samples.get(task, self.samples)

    def validate(self, file: str, path: str) -> None:
        """`distill validate`: every task, task_samples key and data key names one of distill's tasks."""
        from distill.errors import ConfigError, DistillError
        from distill.evaluate.registry import known_tasks, task_dir

        try:
            known = known_tasks(task_dir(self.task_dir))
        except DistillError as exc:
            raise ConfigError(f"{file}: key '{path}.task_dir': {exc}") from None
        for key, names in (("tasks", self.tasks), ("task_samples", list(self.task_samples)), ("data", list(self.data))):
            for name in names:
                if name not in known:
                    raise ConfigError(
                        f"{file}: key '{path}.{key}': unknown eval task {name!r}; known: {', '.join(known)}"
                    )
