"""What every toy task shares: the prompt wording, R1-format solutions, and the train/test split.

The split is a property of the problem itself (a hash of its text), not of the seed or the draw
order, so no problem can ever be in both splits, whatever seeds the two sides were made with.
"""

from __future__ import annotations

import hashlib

from distill.core.instruction import R1_INSTRUCTION
from distill.core.think import join_think

INSTRUCTION = R1_INSTRUCTION
TEST_FRACTION_PERCENT = 20
# What a quick answer thinks instead of working the steps.
QUICK_THOUGHT = "I know this one."


def problem_hash(task: str, question: str) -> str:
    return hashlib.sha256(f"{task}\n{question}".encode()).hexdigest()


def split_of(task: str, question: str) -> str:
    return "test" if int(problem_hash(task, question)[:8], 16) % 100 < TEST_FRACTION_PERCENT else "train"


def r1_solution(step_lines: list[str], answer: int | str) -> str:
    """`<think>` with the worked steps, then the boxed answer, the way R1 traces end."""
    body = "\n".join(step_lines)
    return join_think(body, f"The answer is \\boxed{{{answer}}}.")


def quick_solution(answer: int | str) -> str:
    """The answer stated at once, without the worked steps: the habit the toy teacher's GRPO has to break."""
    return r1_solution([QUICK_THOUGHT], answer)


def prompt(question: str, instruction: str | None) -> str:
    text = INSTRUCTION if instruction is None else instruction
    return f"{question}\n{text}" if text else question
