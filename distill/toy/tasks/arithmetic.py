"""`arithmetic`: multi-step integer arithmetic, e.g. "Compute (3 + 4) * 2 - 5."

Difficulty 1 is what a 2-layer model can learn in CPU minutes: 1-2 operations on one-digit numbers,
no parentheses, nothing negative. Each level adds operations, larger numbers, then parentheses and
negative intermediate values.
"""

from __future__ import annotations

import random

from distill.toy.tasks.expr import min_intermediate, random_tree, render, steps, value

# difficulty -> (min ops, max ops, largest operand, any tree shape, negatives allowed)
LEVELS = {
    1: (1, 2, 9, False, False),
    2: (2, 3, 20, True, False),
    3: (3, 4, 50, True, True),
    4: (4, 6, 99, True, True),
}


def draw(rng: random.Random, difficulty: int) -> tuple[str, int, list[str]]:
    """One problem: (question, answer, step lines)."""
    lo, hi, top, any_shape, negatives = LEVELS[difficulty]
    while True:
        n_ops = rng.randint(lo, hi)
        leaves = [rng.randint(1, top) for _ in range(n_ops + 1)]
        tree = random_tree(rng, leaves, "+-*", left_deep=not any_shape)
        if negatives or min_intermediate(tree) >= 0:
            return f"Compute {render(tree)}.", value(tree), steps(tree)
