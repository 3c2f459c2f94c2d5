"""Language, overlong, reflection rewards, the registry and the raise-safe wrapper."""

import logging

import pytest

from distill.train.reflection import has_reflection, reflection_count
from distill.train.rewards import RewardContext, build_rewards
from distill.train.rewards.language import language_share, make_language_reward
from distill.train.rewards.overlong import make_overlong_reward, overlong_penalty
from distill.train.rewards.reflection import make_reflection_reward
from distill.train.rewards.safe import safe_reward


def test_language_reward_scores_share_of_target_script():
    reward = make_language_reward("en")
    english = "<think>First add the two numbers, then check the sum.</think> \\boxed{7}"
    mixed = "<think>First add 两个数字 then check the sum.</think> \\boxed{7}"
    chinese = "<think>先把两个数字相加,然后检查结果。</think> \\boxed{7}"
    scores = reward(["q"] * 3, [english, mixed, chinese])
    assert scores[0] == 1.0
    assert 0.0 < scores[1] < 1.0
    assert scores[2] == 0.0
    # Math, LaTeX commands and pure arithmetic are language-neutral.
    assert language_share("$\\frac{1}{2}$ 3 + 4 = 7", "en") == 1.0
    # No </think>: no chain of thought to judge.
    assert reward(["q"], ["just text"]) == [0.0]


def test_language_reward_per_row_target_and_zh():
    reward = make_language_reward("en")
    chinese = "<think>先把两个数字相加,然后检查结果。</think> \\boxed{7}"
    assert reward(["q"], [chinese], language=["zh"]) == [1.0]
    assert make_language_reward("zh")(["q"], [chinese]) == [1.0]


@pytest.mark.parametrize("length,expected", [(0, 0.0), (75, 0.0), (80, -0.2), (90, -0.6), (100, -1.0), (130, -1.0)])
def test_overlong_penalty_is_dapo_soft_penalty(length, expected):
    # L_max 100, buffer 25: free up to 75, then linear down to -1 at 100.
    assert overlong_penalty(length, 100, 25) == pytest.approx(expected)


def test_overlong_reward_reads_token_ids():
    reward = make_overlong_reward(100, 25)
    assert reward(["q", "q"], ["a", "b"], completion_ids=[[1] * 10, [1] * 100]) == [0.0, -1.0]


def test_reflection_phrases():
    assert reflection_count("Wait, wait. Wait. That's an aha moment. Let me re-examine 3 + 4.") == 5
    assert has_reflection("Let me double-check the sum")
    assert has_reflection("We should VERIFY this")
    assert not has_reflection("the waiter awaits; a waitress verifies nothing")  # whole words only
    seen = []
    reward = make_reflection_reward(seen.append)
    metrics = {}
    completions = ["<think>3+4=7. Wait, let me verify.</think> \\boxed{7}", "<think>3+4=7</think> \\boxed{7}"]
    out = reward(["q", "q"], completions, completion_ids=[[1] * 5, [1] * 3],
                 log_metric=lambda k, v: metrics.__setitem__(k, v))
    assert out == [1.0, 0.0]
    assert seen == [8]  # generated tokens reported for the budget
    assert metrics["reflection/phrases_per_completion"] == 1.0


def test_registry_appends_reflection_with_zero_weight():
    funcs, weights = build_rewards({"accuracy": 1.0, "format": 0.5}, RewardContext())
    assert [f.__name__ for f in funcs] == ["accuracy", "format", "reflection"]
    assert weights == [1.0, 0.5, 0.0]
    funcs, weights = build_rewards({"reflection": 0.1, "overlong": 1.0}, RewardContext(max_completion_length=64))
    assert [f.__name__ for f in funcs] == ["reflection", "overlong"] and weights == [0.1, 1.0]


def test_raising_reward_scores_that_sample_zero_and_logs(caplog):
    def fragile(prompts, completions, answer, **kwargs):
        out = []
        for c, a in zip(completions, answer):
            if a == "boom":
                raise ValueError("cannot parse")
            out.append(1.0 if c == a else 0.0)
        return out

    metrics = {}
    wrapped = safe_reward(fragile, "fragile")
    assert wrapped.__name__ == "fragile"
    with caplog.at_level(logging.WARNING, logger="distill.train.rewards"):
        scores = wrapped(prompts=["p"] * 3, completions=["7", "x", "9"], answer=["7", "boom", "9"],
                         log_metric=lambda k, v: metrics.__setitem__(k, v))
    assert scores == [1.0, 0.0, 1.0]
    assert "fragile raised on sample 1" in caplog.text and "cannot parse" in caplog.text
    assert metrics["reward_errors/fragile"] == 1.0
