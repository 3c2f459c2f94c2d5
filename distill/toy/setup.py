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
    from dataclasses import asdict

    from distill.toy.kit import build_kit
    from distill.toy.tasks import make_problems

    config = recipe.section("toy")
    out = recipe.stage_dir("toy")
    out.mkdir(parents=True, exist_ok=True)
    # The tokenizer keeps its fixed seed (0); model i is seeded with the recipe's seed + i.
    specs = {name: {**asdict(spec), "seed": recipe.seed + index} for index, (name, spec) in enumerate(config.models.items())}
    build_kit(out, specs, seed=0)
    counts = {}
    for split, size in (("train", config.train_size), ("test", config.test_size)):
        problems = make_problems(config.task, split, size, seed=recipe.seed, difficulty=config.difficulty)
        counts[split] = write_jsonl(Path(out) / f"{config.task}_{split}.jsonl", problems)
        if split == "train":
            write_jsonl(Path(out) / f"{config.task}_train_sft.jsonl", (sft_conversation(p) for p in problems))
    counts["models"] = len(config.models)
    return counts
