"""One code-block extractor: the format reward accepts exactly the blocks the code verifier runs."""

import pytest

from distill.train.rewards.format import format_score
from distill.verify.extract import last_code_block

HEAD = "<think>\nread two ints and add them\n</think>\n\n"
PY = "a, b = map(int, input().split())\nprint(a + b)\n"


@pytest.mark.parametrize("answer, block", [
    (f"```python\n{PY}```", PY),
    (f"```py\n{PY}```", PY),
    (f"```\n{PY}```", PY),  # untagged: read as Python by both
    (f"```javascript\nconsole.log(1)\n```", None),  # another language: neither
    (f"```cpp\nint main(){{}}\n```\nor untagged:\n```\n{PY}```", PY),
    (f"```python\n{PY}```\nSample input:\n```\n3 4\n```", PY),  # a tagged block beats a later sample block
    (f"```python\n{PY}", None),  # unclosed
    ("No code here.", None),
])
def test_format_reward_and_verifier_read_the_same_block(answer, block):
    assert last_code_block(answer) == block
    assert format_score(HEAD + answer, "code") == (1.0 if block else 0.0)


def test_the_verifier_reads_the_shared_block(bwrap_sandbox):
    from distill.verify import verify

    tests = [{"input": "3 4\n", "output": "7\n"}]
    assert verify(HEAD + f"```\n{PY}```", "", "code", tests=tests).reason == "correct"
    assert verify(HEAD + "```javascript\nconsole.log(7)\n```", "", "code", tests=tests).reason == "no_code"


def test_one_box_per_part_of_a_set_reference_has_the_format():
    from distill.train.rewards import format_reward

    text = "<think>\nsolve the quadratic\n</think>\n\nThe roots are $\\boxed{2}$ and $\\boxed{3}$."
    assert format_reward(["q", "q"], [text, text], domain=["math", "math"], answer=["2, 3", "2"]) == [1.0, 0.0]
    assert format_score(text, "math") == 0.0  # no reference: disagreeing boxes are a hedge
