"""GRPO rewards: plain functions `f(prompts, completions, **columns) -> list[float | None]`.

    accuracy    the shared verifier (distill.verify): the same verdict the filter and eval give
    format      <think>reasoning</think> then a non-empty answer; tag-only hacks score 0
    language    share of the chain of thought in the target language (R1 stage 2)
    overlong    DAPO soft penalty as the completion nears max_completion_length
    reflection  share of completions that re-check themselves; weight 0 = logged only

`build_rewards` turns the recipe's {name: weight} into TRL's reward_funcs + reward_weights, each
function wrapped so that one raising sample scores 0 instead of ending the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from distill.train.rewards.accuracy import accuracy_reward
from distill.train.rewards.format import format_reward
from distill.train.rewards.language import make_language_reward
from distill.train.rewards.overlong import make_overlong_reward
from distill.train.rewards.reflection import make_reflection_reward
from distill.train.rewards.safe import safe_reward


@dataclass
class RewardContext:
    """What a reward factory may need from the run."""

    max_completion_length: int = 256
    overlong_buffer: int = 0  # 0 = a quarter of max_completion_length
    language: str = "en"
    on_tokens: Callable[[int], None] | None = None


REGISTRY: dict[str, Callable[[RewardContext], Callable]] = {
    "accuracy": lambda ctx: accuracy_reward,
    "format": lambda ctx: format_reward,
    "language": lambda ctx: make_language_reward(ctx.language),
    "overlong": lambda ctx: make_overlong_reward(
        ctx.max_completion_length, ctx.overlong_buffer or max(1, ctx.max_completion_length // 4)
    ),
    "reflection": lambda ctx: make_reflection_reward(ctx.on_tokens),
}


def build_rewards(weights: dict[str, float], ctx: RewardContext) -> tuple[list[Callable], list[float]]:
    """(reward functions, weights) in recipe order; `reflection` is appended with weight 0 when the
    recipe does not weight it, so it is always logged."""
    weights = dict(weights)
    weights.setdefault("reflection", 0.0)
    funcs = [safe_reward(REGISTRY[name](ctx), name) for name in weights]
    return funcs, [float(w) for w in weights.values()]


__all__ = ["REGISTRY", "RewardContext", "build_rewards", "accuracy_reward", "format_reward"]
