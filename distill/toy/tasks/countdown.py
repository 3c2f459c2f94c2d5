"""`countdown`: reach a target from given numbers with + - * and parentheses, each number once.

The answer is the target, so a math verifier can check it; the reference solution shows the steps and
the whole expression (`So 3 * 5 + 7 = 22.`), which is what a trained model learns to find.
"""

from __future__ import annotations

import random

from distill.toy.tasks.expr import intermediates, random_tree, render, steps, value

# difficulty -> (fewest numbers, most numbers, largest number, largest value on the way)
LEVELS = {1: (2, 3, 9, 99), 2: (3, 4, 12, 999), 3: (4, 4, 25, 1000), 4: (5, 5, 50, 1000)}


def draw(rng: random.Random, difficulty: int) -> tuple[str, int, list[str]]:
    """One problem: (question, target, step lines ending with the full expression)."""
    fewest, most, top, ceiling = LEVELS[difficulty]
    while True:
        numbers = [rng.randint(1, top) for _ in range(rng.randint(fewest, most))]
        tree = random_tree(rng, numbers, "+-*", left_deep=difficulty == 1)
        target = value(tree)
        # A positive target reached through values in [0, ceiling], and not just one of the numbers.
        seen = intermediates(tree)
        if target > 0 and min(seen) >= 0 and max(seen) <= ceiling and target not in numbers:
            break
    shown = numbers[:]
    rng.shuffle(shown)
    listed = ", ".join(str(n) for n in shown)
    question = (
        f"Combine the numbers {listed} (each exactly once) with +, - and * to make {target}. "
        f"Show the expression; the final answer is the number it makes."
    )
    return question, target, steps(tree) + [f"So {render(tree)} = {target}."]
