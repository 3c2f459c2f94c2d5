"""The `toy` pipeline stage: build the demo's tokenizer, tiny models and task files.

Writes into the stage's output directory:
  tokenizer/                      the shared tokenizer
  <name>/                         one tiny HF model per entry of `toy.models` (random init, seeded)
  <task>_train.jsonl, _test.jsonl prompt records (id, problem, answer, domain, solution)
  <task>_train_sft.jsonl          the train split as conversations (`messages`): the reference
                                  solutions the warm-up stages train on, and for a share of the
                                  problems (`toy.quick_answers`) a second, quick answer without
                                  the worked steps; a share (`toy.mixed_language`) of the worked
                                  solutions open their thought in Chinese
  <task>_cold_start.jsonl         with `toy.cold_start_size`: the first N training problems, worked
                                  solutions only (R1's cold-start data)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from distill.records import write_jsonl

if TYPE_CHECKING:  # the recipe module imports every stage's config: only the type checker needs it here
    from distill.recipe import Recipe


def sft_conversation(problem: dict) -> dict:
    return {
        "id": problem["id"],
        "messages": [
            {"role": "user", "content": problem["problem"]},
            {"role": "assistant", "content": problem["solution"]},
        ],
    }


def gets_quick_answer(problem_id: str, share: float) -> bool:
    """Whether a problem is among the `share` that also get a quick answer: fixed by its id, not the draw order."""
    return int(hashlib.sha256(problem_id.encode()).hexdigest()[:8], 16) < share * 16**8


def warmup_conversations(problems: list[dict], quick_share: float, mixed_share: float = 0.0) -> Iterator[dict]:
    """Every problem with its worked solution; the chosen share a second time, answered at once.

    A base model's text mixes worked and unworked answers; the quick ones are mostly wrong on
    two-step problems, so GRPO (rewarded on the answer only) has a habit to break: working the steps.
    With `mixed_share`, that share of the worked solutions opens its thought in Chinese: as right as
    the others, so only a language-consistency reward (R1's stage 2) tells them apart.
    """
    from distill.toy.tasks.base import mixed_language_solution, quick_solution

    for problem in problems:
        if gets_quick_answer(f"{problem['id']}-mixed", mixed_share):  # its own draw, independent of quick
            yield sft_conversation({**problem, "solution": mixed_language_solution(problem["solution"])})
        else:
            yield sft_conversation(problem)
        if gets_quick_answer(problem["id"], quick_share):
            yield sft_conversation(
                {**problem, "id": f"{problem['id']}-quick", "solution": quick_solution(problem["answer"])}
            )


def build_toy_setup(recipe: Recipe, name: str = "toy") -> dict[str, int]:
    from dataclasses import asdict

    from distill.toy.kit import build_kit
    from distill.toy.tasks import make_problems

    config = recipe.section(name)
    out = recipe.stage_dir(name)
    out.mkdir(parents=True, exist_ok=True)
    # The tokenizer keeps its fixed seed (0); model i is seeded with the recipe's seed + i.
    specs = {
        name: {**asdict(spec), "seed": recipe.seed + index} for index, (name, spec) in enumerate(config.models.items())
    }
    build_kit(out, specs, seed=0)
    counts = {}
    for split, size in (("train", config.train_size), ("test", config.test_size)):
        problems = make_problems(config.task, split, size, seed=recipe.seed, difficulty=config.difficulty)
        counts[split] = write_jsonl(Path(out) / f"{config.task}_{split}.jsonl", problems)
        if split == "train":
            conversations = warmup_conversations(problems, config.quick_answers, config.mixed_language)
            counts["warmup_conversations"] = write_jsonl(Path(out) / f"{config.task}_train_sft.jsonl", conversations)
            if config.cold_start_size:
                cold = (sft_conversation(p) for p in problems[: config.cold_start_size])
                counts["cold_start"] = write_jsonl(Path(out) / f"{config.task}_cold_start.jsonl", cold)
    counts["models"] = len(config.models)
    return counts
