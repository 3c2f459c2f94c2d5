"""Recipe section `toy`: build the tiny tokenizer and models the demo pipeline trains.

    toy:
      models: {teacher: {arch: qwen2}, student: {arch: llama, hidden_size: 64, num_heads: 1}}
      task: arithmetic
      difficulty: 1
      train_size: 500
      test_size: 100
      quick_answers: 0.5   # share of training problems the warm-up file also answers at once, no steps
      mixed_language: 0.5  # share whose worked solution in the warm-up file opens its thought in Chinese
      cold_start_size: 500 # a cold-start file: the first 500 training problems, worked solutions only

Run by `distill toy setup RECIPE` (or `distill run`). Standard library only: recipes load without
heavy imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from distill import ranges


@dataclass
class ToyModelSpec:
    arch: str = "qwen2"  # qwen2 | llama
    hidden_size: int = 128  # num_heads x 64 (vLLM's CPU attention needs head_dim 64)
    num_layers: int = 2
    num_heads: int = 2
    intermediate_size: int = 256

    def __post_init__(self) -> None:
        for key in ("hidden_size", "num_layers", "num_heads", "intermediate_size"):
            ranges.count(key, getattr(self, key))


@dataclass
class ToySetupConfig:
    # Named models to build, each saved to <toy output>/<name>; the tokenizer is shared.
    models: dict[str, ToyModelSpec] = field(
        default_factory=lambda: {"teacher": ToyModelSpec(), "student": ToyModelSpec()}
    )
    # Toy task problems written as JSONL to <toy output>/<task>_<split>.jsonl.
    task: str = "arithmetic"
    difficulty: int = 1
    train_size: int = 500
    test_size: int = 100
    # Share of the training problems that the warm-up file (<task>_train_sft.jsonl) holds a second time
    # answered at once, "I know this one.", without the worked steps: a habit for GRPO to break.
    quick_answers: float = 0.0
    # Share of the training problems whose worked solution in the warm-up file opens its thought with a
    # Chinese sentence (R1-Zero's language mixing): a habit for the language-consistency reward to break.
    mixed_language: float = 0.0
    # Training problems (the first N) written to <task>_cold_start.jsonl with their worked solutions only:
    # R1's cold-start data, a few curated readable chains of thought. 0: no file.
    cold_start_size: int = 0
    output_dir: str | None = None

    def __post_init__(self) -> None:
        ranges.names("models", self.models)  # each model is saved to <toy dir>/<name>
        ranges.name("task", self.task)  # problems are written to <toy dir>/<task>_<split>.jsonl
        ranges.count("difficulty", self.difficulty)
        ranges.count("train_size", self.train_size)
        ranges.count("test_size", self.test_size)
        ranges.probability("quick_answers", self.quick_answers)
        ranges.probability("mixed_language", self.mixed_language)
        ranges.count("cold_start_size", self.cold_start_size, minimum=0)

    def validate(self, file: str, path: str) -> None:
        """Checks `distill validate` runs: known task, difficulty, model shapes vLLM can serve."""
        from distill.errors import ConfigError, DistillError
        from distill.toy.models import check_shape
        from distill.toy.tasks import TASKS

        if self.task not in TASKS:
            raise ConfigError(f"{file}: {path}.task: unknown toy task {self.task!r}; known: {', '.join(sorted(TASKS))}")
        levels = TASKS[self.task][1]
        if self.difficulty not in levels:
            raise ConfigError(
                f"{file}: {path}.difficulty: {self.task} has levels {min(levels)}-{max(levels)}, got {self.difficulty}"
            )
        if not 0.0 <= self.quick_answers <= 1.0:
            raise ConfigError(f"{file}: {path}.quick_answers: a share between 0 and 1, got {self.quick_answers}")
        if self.cold_start_size > self.train_size:
            raise ConfigError(
                f"{file}: {path}.cold_start_size: {self.cold_start_size} is more than train_size "
                f"({self.train_size}); the cold-start file is drawn from the training problems"
            )
        for name, spec in self.models.items():
            try:
                check_shape(spec.arch, spec.hidden_size, spec.num_heads)
            except DistillError as exc:
                raise ConfigError(f"{file}: {path}.models.{name}: {exc}") from None
