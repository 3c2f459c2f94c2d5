"""Accuracy reward: the shared verifier's verdict, hacks included, for every domain."""

import json

import pytest

from distill.train.rewards import accuracy_reward
from distill.verify import verify


def score(completion, answer, domain="math", tests=None, prompt="q"):
    kwargs = {"answer": [answer], "domain": [domain]}
    if tests is not None:
        kwargs["tests"] = [tests]
    return accuracy_reward([prompt], [completion], **kwargs)[0]


@pytest.mark.parametrize("completion,expected", [
    ("<think>\n3 + 4 = 7\n</think>\n\nThe answer is \\boxed{7}.", 1.0),
    ("<think>\n3 + 4 = 8\n</think>\n\nThe answer is \\boxed{8}.", 0.0),
    ("<think>\n3 + 4 = 7\n</think>\n\n\\boxed{7} or maybe \\boxed{8}", 0.0),  # hedge
    ("<think>\n3 + 4 = 7\n</think>\n\n\\boxed{8}, no wait \\boxed{7}", 0.0),  # hedge, last box right
    ("<think>\n3 + 4 = 7\n</think>\n\nThe answer is \\boxed{}.", 0.0),  # empty box
    ("<think>\n3 + 4 = 7, so \\boxed{7}\n</think>\n\nDone.", 0.0),  # answer only inside the think block
    ("<think>\n3 + 4 = 7, so \\boxed{7}", 0.0),  # no </think>: no final answer
    ("\\boxed{7}", 0.0),  # no reasoning, no </think>
    ("<think>\n</think>\n\n\\boxed{7}", 1.0),  # format is the format reward's job, not this one's
])
def test_math_verdicts(completion, expected):
    assert score(completion, "7") == expected


def test_same_verdict_as_the_filter_verifier():
    cases = [("<think>x</think> \\boxed{\\frac{1}{2}}", "0.5"), ("<think>x</think> \\boxed{0.5}", "1/3"),
             ("<think>x</think> \\boxed{7} \\boxed{8}", "8")]
    for completion, answer in cases:
        assert score(completion, answer) == float(verify(completion, answer, "math").correct)


def test_prompt_opening_think_and_conversations():
    assert score("3 + 4 = 7\n</think>\n\\boxed{7}", "7", prompt="Assistant: <think>\n") == 1.0
    convo = [{"role": "assistant", "content": "<think>3+4=7</think> \\boxed{7}"}]
    assert accuracy_reward([[{"role": "user", "content": "3+4?"}]], [convo], answer=["7"], domain=["math"]) == [1.0]


def test_choice_and_no_reference():
    assert score("<think>B fits</think>\nAnswer: B", "B", "choice") == 1.0
    assert score("<think>B fits</think>\nAnswer: C", "B", "choice") == 0.0
    assert score("<think>x</think> \\boxed{7}", "", "math") is None  # nothing to compare with


def test_code_runs_in_the_sandbox(bwrap_sandbox):
    tests = json.dumps([{"input": "3 4\n", "output": "7\n"}])
    good = "<think>sum two ints</think>\n```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    bad = "<think>sum two ints</think>\n```python\nprint(0)\n```"
    assert score(good, "", "code", tests) == 1.0
    assert score(bad, "", "code", tests) == 0.0
