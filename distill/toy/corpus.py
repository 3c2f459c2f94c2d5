"""The text the toy tokenizer is trained on, made on the spot (no downloads).

Toy problems with their reference solutions teach the merges the demo needs most; a little English
and math prose keeps ordinary text from falling apart into single bytes. Chinese and any other text
still round-trips because the tokenizer is byte-level.
"""

from __future__ import annotations

from collections.abc import Iterator

PROSE = """\
Let me think about this step by step. First, we read the problem carefully.
The answer is the number we get at the end. We check the result once more.
Please reason step by step, and put your final answer within \\boxed{}.
A prime number is a whole number greater than one whose only divisors are one and itself.
The sum of the angles of a triangle is 180 degrees. The area of a circle is pi times r squared.
If x + 3 = 7, then x = 4. If 2x = 10, then x = 5. The square of 12 is 144.
We add, subtract, multiply and divide. Multiplication comes before addition and subtraction.
Wait, that is not right. Let me recompute. So the total is correct.
Hmm, let us try another combination of the numbers. This one works.
The function f(x) = x^2 + 2x + 1 equals (x + 1)^2. Its minimum value is 0 at x = -1.
Question: What is the value of the expression? Answer: The value is 42.
Find all real solutions of the equation. Therefore, the final answer is given below.
The quick brown fox jumps over the lazy dog. This is a simple sentence in English.
The student learns from the teacher, and the teacher learns from rewards.
"""

# A few Chinese lines so common characters get merges of their own; not needed for round-trips.
CHINESE = "让我们一步一步地思考。答案是四十二。请逐步推理，并把最终答案放在方框里。\n"


def corpus_lines(n_problems: int = 400, seed: int = 0) -> Iterator[str]:
    """Yield training text: prose, then toy problems and their solutions from every task."""
    from distill.toy.tasks import TASKS, make_problems

    for _ in range(3):
        yield from PROSE.splitlines()
        yield CHINESE
    for task in sorted(TASKS):
        for difficulty in (1, 2, 3):
            for record in make_problems(task, "train", n_problems // 3, seed=seed, difficulty=difficulty):
                yield record["problem"]
                yield record["solution"]
