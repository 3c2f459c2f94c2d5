"""Reflection "reward": 1.0 when the reasoning re-checks itself ("wait", "let me verify", ...).

With weight 0 (the default) it shapes nothing and only logs: TRL reports `rewards/reflection/mean`,
the share of completions with a reflection phrase, each step; the end-of-run plot draws it next to
the response length. It also counts generated tokens for the compute budget.
"""

from __future__ import annotations

from typing import Any

from distill.core.think import split_think
from distill.train.reflection import reflection_count
from distill.train.rewards.text import full_text


def make_reflection_reward(on_tokens=None):
    """`on_tokens(n)` is told how many completion tokens each call saw (budget accounting)."""

    def reflection_reward(
        prompts: list[Any], completions: list[Any], completion_ids: list | None = None, **kwargs: Any
    ) -> list[float]:
        counts = []
        for prompt, completion in zip(prompts, completions):
            text = full_text(prompt, completion)
            reasoning, _ = split_think(text)
            counts.append(reflection_count(reasoning if reasoning is not None else text))
        log_metric = kwargs.get("log_metric")
        if log_metric is not None and counts:
            log_metric("reflection/phrases_per_completion", sum(counts) / len(counts))
        if on_tokens is not None and completion_ids is not None:
            on_tokens(sum(len(ids) for ids in completion_ids))
        return [1.0 if c else 0.0 for c in counts]

    return reflection_reward
