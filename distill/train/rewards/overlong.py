"""Overlong penalty (DAPO's soft overlong punishment), in [-1, 0].

    0                          if L <= L_max - L_buffer
    (L_max - L_buffer - L) / L_buffer   inside the buffer
    -1                         at L_max (the completion was cut off)

L is the completion's length in tokens and L_max GRPO's max_completion_length, so the policy learns
to finish before the cut rather than being rewarded or punished at random for truncated answers.
"""

from __future__ import annotations

from typing import Any

from distill.train.rewards.text import message_text


def overlong_penalty(length: int, max_length: int, buffer: int) -> float:
    buffer = max(1, min(buffer, max_length))
    start = max_length - buffer
    if length <= start:
        return 0.0
    return max(-1.0, (start - length) / buffer)


def make_overlong_reward(max_length: int, buffer: int):
    def overlong_reward(
        prompts: list[Any], completions: list[Any], completion_ids: list | None = None, **kwargs: Any
    ) -> list[float]:
        if completion_ids is not None:
            lengths = [len(ids) for ids in completion_ids]
        else:  # no token ids (called outside TRL): fall back to whitespace words
            lengths = [len(message_text(c).split()) for c in completions]
        return [overlong_penalty(n, max_length, buffer) for n in lengths]

    return overlong_reward
