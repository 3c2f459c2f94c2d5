"""Format reward: `<think>reasoning</think>` then a non-empty answer; the tag-only hacks score 0."""

import pytest

from distill.train.rewards import format_reward
from distill.train.rewards.format import format_score

GOOD = "<think>\n3 + 4 = 7\n</think>\n\nThe answer is \\boxed{7}."


@pytest.mark.parametrize("text,domain,expected", [
    (GOOD, "math", 1.0),
    ("  " + GOOD, "math", 1.0),  # leading whitespace is fine
    ("<think>\n</think>\n\nThe answer is \\boxed{7}.", "math", 0.0),  # empty reasoning
    ("<think> ... </think> \\boxed{7}", "math", 0.0),  # reasoning with no content
    ("<think>\n3 + 4 = 7\n</think>\n\n", "math", 0.0),  # empty answer
    ("<think>3 + 4 = 7 so \\boxed{7}</think>", "math", 0.0),  # answer only inside the think block
    ("<think>\n3 + 4 = 7\n</think>\n\nThe answer is \\boxed{}.", "math", 0.0),  # empty box
    ("<think>\n3 + 4 = 7\n</think>\n\n\\boxed{7} or \\boxed{8}", "math", 0.0),  # hedge
    ("<think>\n3 + 4 = 7\n</think>\n\nThe answer is 7.", "math", 0.0),  # math needs a box
    ("3 + 4 = 7\n</think>\n\n\\boxed{7}", "math", 0.0),  # no opening tag
    ("<think>a</think><think>b</think>\\boxed{7}", "math", 0.0),  # two think blocks
    ("The answer is \\boxed{7}.", "math", 0.0),  # no reasoning at all
    ("<think>\nB fits best\n</think>\n\nAnswer: B", "choice", 1.0),
    ("<think>\nB fits best\n</think>\n\n\\boxed{B}", "choice", 1.0),
    ("<think>\nB fits best\n</think>\n\nI think so.", "choice", 0.0),
    ("<think>\nread and echo\n</think>\n\n```python\nprint(input())\n```", "code", 1.0),
    ("<think>\nread and echo\n</think>\n\n```python\n```", "code", 0.0),  # empty code block
    ("<think>\nhello\n</think>\n\nHi there.", "general", 1.0),
])
def test_format_cases(text, domain, expected):
    assert format_score(text, domain) == expected


def test_prompt_that_opens_think_counts_as_opened():
    # R1-style chat templates put "<think>\n" in the generation prompt: the completion starts inside it.
    prompts = ["User: 3 + 4? Assistant: <think>\n"]
    completions = ["3 + 4 = 7\n</think>\n\n\\boxed{7}"]
    assert format_reward(prompts, completions, domain=["math"]) == [1.0]
    assert format_reward(["User: 3 + 4? Assistant:"], completions, domain=["math"]) == [0.0]


def test_conversational_completions():
    prompts = [[{"role": "user", "content": "3 + 4?"}]] * 2
    completions = [[{"role": "assistant", "content": GOOD}], [{"role": "assistant", "content": "\\boxed{7}"}]]
    assert format_reward(prompts, completions, domain=["math", "math"]) == [1.0, 0.0]


def test_missing_domain_column_reads_any_non_empty_answer():
    assert format_reward(["q"], ["<think>x</think> seven"]) == [1.0]
