"""Language-consistency reward (R1's stage-2 RL): the proportion of the chain of thought's words that
are in the target language, in [0, 1].

R1 added it because R1-Zero mixed languages inside one chain of thought, and defines it as "the
proportion of target language words in the CoT" (DeepSeek-R1, section 2.3.2). Words, not letters:
a run of letters is one word (`compute`), except in scripts written without spaces (Han, kana,
hangul), where each character is one; a word is the target language's when it is in the target's
script (en: Latin, zh: Han). Math and code (LaTeX, fenced and inline code) and Greek letters are
left out, as the filter's language filter leaves them out (its script ranges are the ones used here),
so a completion the filter rejects for mixing also scores low here. Reasoning with no words (pure
arithmetic) mixes nothing: 1.0. No reasoning at all (no `</think>`): 0.0.
"""

from __future__ import annotations

import re
from typing import Any

from distill.core.language import GREEK, HAN, LATIN, NEUTRAL
from distill.core.think import split_think
from distill.train.rewards.text import column, full_text

# Scripts written without spaces between words: one character, one word.
UNSPACED = HAN + r"\u3040-\u30FF\u31F0-\u31FF\uAC00-\uD7AF\u1100-\u11FF"
WORDS = re.compile(f"[{UNSPACED}]|[^\\W\\d_{UNSPACED}]+")
_GREEK = re.compile(f"[{GREEK}]+")
_TARGET = {"en": re.compile(f"[{LATIN}]+"), "zh": re.compile(f"[{HAN}]")}


def word_counts(text: str, language: str) -> tuple[int, int]:
    """(words in the target language, words counted) of `text`; math, code and Greek not counted."""
    text = NEUTRAL.sub(" ", text)
    target = _TARGET[language]
    own = counted = 0
    for word in WORDS.findall(text):
        if _GREEK.fullmatch(word):
            continue  # alpha, beta: math in any language
        counted += 1
        own += target.fullmatch(word) is not None
    return own, counted


def language_share(text: str, language: str) -> float:
    """Proportion of `text`'s words in the target language; 1.0 when it has no words."""
    if language == "en" and text.isascii():
        return 1.0  # nothing to mix: the common case, free
    own, counted = word_counts(text, language)
    return own / counted if counted else 1.0


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
