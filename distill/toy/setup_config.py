"""Recipe section `toy`: build the tiny tokenizer and models the demo pipeline trains.

Standard library only: recipes load without heavy imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ToyModelSpec:
    arch: str = "qwen2"  # qwen2 | llama
    hidden_size: int = 128
    num_layers: int = 2
    num_heads: int = 2
    intermediate_size: int = 256


@dataclass
class ToySetupConfig:
    # Named models to build, each saved to <toy output>/<name>; the tokenizer is shared.
    models: dict[str, ToyModelSpec] = field(default_factory=lambda: {"teacher": ToyModelSpec(), "student": ToyModelSpec()})
    # Toy task problems written as JSONL to <toy output>/<task>_<split>.jsonl.
    task: str = "arithmetic"
    difficulty: int = 1
    train_size: int = 500
    test_size: int = 100
    output_dir: str | None = None
