"""The GRPO training set: prompt records -> a `datasets.Dataset` with a `prompt` column in the
recipe's template, plus the columns the rewards read (answer, domain, tests, id).

Templates:
- r1_zero: R1-Zero's plain-text template for base models, with one change: the answer follows
  `</think>` in `\\boxed{}` instead of sitting in `<answer>` tags, because that is the shape every
  distill stage reads (the filter, the verifiers, the SFT data).
- chat: a conversation (optional system prompt + the user's problem); TRL applies the tokenizer's
  chat template, and completions come back as messages.
- plain: the problem text alone, or `prompt_template` with `{problem}` filled in.
"""

from __future__ import annotations

import json
from typing import Any

R1_ZERO_TEMPLATE = (
    "A conversation between User and Assistant. The User asks a question, and the Assistant solves it. "
    "The Assistant first thinks about the reasoning process in the mind and then provides the User with "
    "the answer. The reasoning process is enclosed within <think> </think> tags and followed by the final "
    "answer, with the final answer in \\boxed{{}}, i.e., <think> reasoning process here </think> final "
    "answer here \\boxed{{answer}}. User: {problem} Assistant:"
)


def render_prompt(problem: str, template: str, prompt_template: str | None, system_prompt: str | None) -> Any:
    """The `prompt` value TRL expects: a string, or a list of messages for chat templates."""
    if template == "chat":
        messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
        user = prompt_template.format(problem=problem) if prompt_template else problem
        return messages + [{"role": "user", "content": user}]
    if prompt_template:
        text = prompt_template.format(problem=problem)
    elif template == "r1_zero":
        text = R1_ZERO_TEMPLATE.format(problem=problem)
    else:
        text = problem
    return f"{system_prompt}\n\n{text}" if system_prompt else text


def to_rows(prompts: list[dict[str, Any]], section) -> list[dict[str, Any]]:
    """Dataset rows. `tests` is kept as JSON text so every row has the same column type."""
    rows = []
    for record in prompts:
        rows.append(
            {
                "id": str(record["id"]),
                "prompt": render_prompt(
                    record["problem"], section.template, section.prompt_template, section.system_prompt
                ),
                "answer": str(record.get("answer") or ""),
                "domain": str(record.get("domain") or "math"),
                "tests": json.dumps(record["tests"]) if record.get("tests") else "",
            }
        )
    return rows


def build_dataset(section, seed: int):
    """(datasets.Dataset, source stats dict). Every row the source read is accounted for there."""
    import datasets

    from distill.errors import DistillError
    from distill.sources import load_prompts_with_stats

    prompts, stats = load_prompts_with_stats(section.prompts, seed=seed)
    if not prompts:
        raise DistillError(f"prompts {section.prompts.name!r}: no usable prompts ({stats.as_dict()})")
    return datasets.Dataset.from_list(to_rows(prompts, section)), stats.as_dict()
