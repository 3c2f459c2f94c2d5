"""The `toy` pipeline stage: build the demo's tokenizer, tiny models and task files.

Writes into the stage's output directory:
  tokenizer/                      the shared tokenizer
  <name>/                         one tiny HF model per entry of `toy.models` (random init, seeded)
  <task>_train.jsonl, _test.jsonl prompt records (id, problem, answer, domain, solution)
  <task>_train_sft.jsonl          the train split as conversations (`messages`): the reference
                                  solutions the warm-up stages train on
"""

from __future__ import annotations

from pathlib import Path

from distill.records import write_jsonl


def sft_conversation(problem: dict) -> dict:
    return {
        "id": problem["id"],
        "messages": [
            {"role": "user", "content": problem["problem"]},
            {"role": "assistant", "content": problem["solution"]},
        ],
    }


def build_toy_setup(recipe) -> dict[str, int]:
    from distill.toy.models import build_tiny_model
    from distill.toy.tasks import make_problems
    from distill.toy.tokenizer import build_tokenizer

    config = recipe.section("toy")
    out = recipe.stage_dir("toy")
    out.mkdir(parents=True, exist_ok=True)
    build_tokenizer(out / "tokenizer")
    for index, (name, spec) in enumerate(config.models.items()):
        build_tiny_model(
            spec.arch, out / "tokenizer", out / name,
            hidden_size=spec.hidden_size, num_layers=spec.num_layers, num_heads=spec.num_heads,
            intermediate_size=spec.intermediate_size, seed=recipe.seed + index,
        )
    counts = {}
    for split, size in (("train", config.train_size), ("test", config.test_size)):
        problems = make_problems(config.task, split, size, seed=recipe.seed, difficulty=config.difficulty)
        counts[split] = write_jsonl(Path(out) / f"{config.task}_{split}.jsonl", problems)
        if split == "train":
            write_jsonl(Path(out) / f"{config.task}_train_sft.jsonl", (sft_conversation(p) for p in problems))
    counts["models"] = len(config.models)
    return counts
