"""The toy task registry: `make_problems` and `write_problems`, deterministic by seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from distill.errors import DistillError
from distill.toy.tasks import arithmetic, countdown
from distill.toy.tasks.base import problem_hash, prompt, r1_solution, split_of

Draw = Callable[[random.Random, int], tuple[str, int, list[str]]]

TASKS: dict[str, tuple[Draw, dict]] = {
    "arithmetic": (arithmetic.draw, arithmetic.LEVELS),
    "countdown": (countdown.draw, countdown.LEVELS),
}
SPLITS = ("train", "test")
# Draws in a row that find nothing new before we call the problem space exhausted.
MAX_MISSES_IN_A_ROW = 5000


def make_problems(
    task: str, split: str, n: int, seed: int = 0, difficulty: int = 1, instruction: str | None = None
) -> list[dict]:
    """`n` distinct problems of one split, as prompt records
    `{"id", "problem", "answer", "domain": "math", "solution"}`.

    The same (task, split, n, seed, difficulty) always gives the same list, and a larger `n` extends
    a smaller one. `instruction` replaces the closing "Please reason step by step..." line ("" drops it).
    """
    draw, levels = _check(task, split, n, difficulty)
    rng = random.Random(f"{task}:{seed}:{difficulty}")
    seen: set[str] = set()
    records: list[dict] = []
    misses = 0
    while len(records) < n and misses < MAX_MISSES_IN_A_ROW:
        question, answer, step_lines = draw(rng, difficulty)
        if question in seen or split_of(task, question) != split:
            misses += 1
            continue
        misses = 0
        seen.add(question)
        records.append(
            {
                "id": f"{task}-d{difficulty}-{problem_hash(task, question)[:12]}",
                "problem": prompt(question, instruction),
                "answer": str(answer),
                "domain": "math",
                "solution": r1_solution(step_lines, answer),
            }
        )
    if len(records) == n:
        return records
    raise DistillError(
        f"toy task {task!r} difficulty {difficulty}: only {len(records)} distinct {split} "
        f"problems found ({MAX_MISSES_IN_A_ROW} draws in a row gave nothing new), {n} asked; "
        f"ask for fewer or a higher difficulty"
    )


def write_problems(
    path: str | Path, task: str, split: str, n: int, seed: int = 0, difficulty: int = 1, instruction: str | None = None
) -> Path:
    """Write `make_problems(...)` to a JSONL file (atomically) and return its path."""
    from distill.records import write_jsonl

    path = Path(path)
    write_jsonl(path, make_problems(task, split, n, seed=seed, difficulty=difficulty, instruction=instruction))
    return path


def _check(task: str, split: str, n: int, difficulty: int) -> tuple[Draw, dict]:
    if task not in TASKS:
        raise DistillError(f"unknown toy task {task!r}; known: {', '.join(sorted(TASKS))}")
    if split not in SPLITS:
        raise DistillError(f"unknown split {split!r}; use train or test")
    if n < 0:
        raise DistillError(f"number of problems must be >= 0, got {n}")
    draw, levels = TASKS[task]
    if difficulty not in levels:
        raise DistillError(f"toy task {task!r} has difficulty levels {min(levels)}-{max(levels)}, got {difficulty}")
    return draw, levels
