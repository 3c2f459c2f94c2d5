"""Multiple-choice questions (GPQA): a deterministic shuffle of the choices and the prompt R1 used.

The stock lm-eval GPQA tasks call `random.shuffle` on the choices, so where the right answer sits
depends on the global random state: two runs (or two processes) can show a model different letters.
Here the order comes from a seed derived from the question text, so every run, every backend and
every machine shows the same question with the same letters.
"""

from __future__ import annotations

import hashlib
import random

LETTERS = "ABCD"

# The simple-evals multiple-choice template, which DeepSeek-R1 reports GPQA Diamond with.
CHOICE_TEMPLATE = (
    "Answer the following multiple choice question. The last line of your response should be of the "
    "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by "
    "step before answering.\n\n{question}\n\nA) {A}\nB) {B}\nC) {C}\nD) {D}"
)


def question_seed(question: str) -> int:
    """A seed that depends only on the question (not on Python's salted hash())."""
    return int(hashlib.sha256(question.strip().encode("utf-8")).hexdigest()[:16], 16)


def shuffle_choices(question: str, correct: str, wrong: list[str]) -> tuple[list[str], str]:
    """The four choices in a fixed per-question order, and the letter of the correct one."""
    choices = [_clean(correct)] + [_clean(w) for w in wrong]
    order = list(range(len(choices)))
    random.Random(question_seed(question)).shuffle(order)
    shuffled = [choices[i] for i in order]
    return shuffled, LETTERS[order.index(0)]


def choice_prompt(question: str, choices: list[str]) -> str:
    return CHOICE_TEMPLATE.format(question=question, **dict(zip(LETTERS, choices)))


def options_text(question: str, choices: list[str]) -> str:
    """The question and its lettered options without the eval's instruction: a prompt source's
    `problem` (distill.formats.gpqa), which generate's `choice` template then instructs."""
    return question + "\n\n" + "\n".join(f"{letter}) {choice}" for letter, choice in zip(LETTERS, choices))


def _clean(text: str) -> str:
    # GPQA's text carries stray whitespace and " [title]" markers, as lm-eval's own preprocess notes.
    return " ".join(text.replace(" [title]", ". ").split())
