"""`arithmetic`: multi-step integer arithmetic, e.g. "Compute (3 + 4) * 2 - 5."

Difficulty 1 is what a 2-layer model can learn in CPU minutes: 1-2 operations on one-digit numbers,
no parentheses, every value met on the way between 0 and 99. Each level adds operations, larger
numbers, then parentheses and negative intermediate values.
"""

from __future__ import annotations

import random

from distill.toy.tasks.expr import intermediates, random_tree, render, steps, value

# difficulty -> (min ops, max ops, largest operand, any tree shape, smallest and largest value on the way)
LEVELS = {
    1: (1, 2, 9, False, 0, 99),
    2: (2, 3, 20, True, 0, 999),
    3: (3, 4, 50, True, None, None),
    4: (4, 6, 99, True, None, None),
}


def draw(rng: random.Random, difficulty: int) -> tuple[str, int, list[str]]:
    """One problem: (question, answer, step lines)."""
    lo, hi, top, any_shape, floor, ceiling = LEVELS[difficulty]
    while True:
        n_ops = rng.randint(lo, hi)
        leaves = [rng.randint(1, top) for _ in range(n_ops + 1)]
        tree = random_tree(rng, leaves, "+-*", left_deep=not any_shape)
        seen = intermediates(tree)
        if (floor is None or min(seen) >= floor) and (ceiling is None or max(seen) <= ceiling):
            return f"Compute {render(tree)}.", value(tree), steps(tree)
