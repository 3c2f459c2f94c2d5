"""`countdown`: reach a target from given numbers with + - * and parentheses, each number once.

The answer is the target, so a math verifier can check it; the reference solution shows the steps and
the whole expression (`So 3 * 5 + 7 = 22.`), which is what a trained model learns to find.
"""

from __future__ import annotations

import random

from distill.toy.tasks.expr import min_intermediate, random_tree, render, steps, value

# difficulty -> (fewest numbers, most numbers, largest number)
LEVELS = {1: (2, 3, 9), 2: (3, 4, 12), 3: (4, 4, 25), 4: (5, 5, 50)}
MAX_TARGET = 1000


def draw(rng: random.Random, difficulty: int) -> tuple[str, int, list[str]]:
    """One problem: (question, target, step lines ending with the full expression)."""
    fewest, most, top = LEVELS[difficulty]
    while True:
        numbers = [rng.randint(1, top) for _ in range(rng.randint(fewest, most))]
        tree = random_tree(rng, numbers, "+-*", left_deep=difficulty == 1)
        target = value(tree)
        # A positive, not too large target reached without negative steps, and not just one of the numbers.
        if 0 < target <= MAX_TARGET and min_intermediate(tree) >= 0 and target not in numbers:
            break
    shown = numbers[:]
    rng.shuffle(shown)
    listed = ", ".join(str(n) for n in shown)
    question = (f"Combine the numbers {listed} (each exactly once) with +, - and * to make {target}. "
                f"Show the expression; the final answer is the number it makes.")
    return question, target, steps(tree) + [f"So {render(tree)} = {target}."]
