"""Language-consistency reward (R1's stage-2 RL): the share of the chain of thought written in the
target language's script, in [0, 1].

R1 added it because R1-Zero mixed languages inside one chain of thought. The counting is the
language filter's (`distill.core.language`, shared with `distill.filter.language`): letters
outside the target script over all letters, with math, code and Greek letters left out, so a
completion the filter would reject for mixing also scores low here. Reasoning with no letters
(pure arithmetic) mixes nothing: 1.0. No reasoning at all (no `</think>`): 0.0.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from distill.core.think import split_think
from distill.train.rewards.text import column, full_text


@cache
def _counter(language: str):
    from distill.core.language import ScriptCounter

    return ScriptCounter(language)


def language_share(text: str, language: str) -> float:
    """Share of `text`'s letters in the target script (1 - the filter's other-script share)."""
    share, _letters, _example = _counter(language).other_share(text)
    return 1.0 - share


def make_language_reward(default_language: str):
    """A `language` column in the prompts (per-row target) wins over the recipe's language."""

    def language_reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float]:
        langs = column(kwargs, "language", len(completions), default_language)
        scores = []
        for prompt, completion, lang in zip(prompts, completions, langs):
            reasoning, _ = split_think(full_text(prompt, completion))
            scores.append(0.0 if reasoning is None else language_share(reasoning, lang or default_language))
        return scores

    return language_reward
