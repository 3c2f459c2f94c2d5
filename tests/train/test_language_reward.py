"""The language-consistency reward is R1's: the proportion of the CoT's *words* in the target language."""

from distill.toy.setup import warmup_conversations
from distill.toy.tasks import make_problems
from distill.train.rewards.language import language_share, make_language_reward, word_counts


def test_words_not_letters():
    # 6 English words (First add then check the sum) and 4 Chinese characters, one word each: 6/10.
    # Counting letters instead would give 24/28 = 0.86.
    assert word_counts("First add 两个数字 then check the sum.", "en") == (6, 10)
    assert language_share("First add 两个数字 then check the sum.", "en") == 0.6
    assert language_share("First add 两个数字 then check the sum.", "zh") == 0.4


def test_math_code_greek_and_digits_are_not_words():
    text = "Let $\\alpha = 2$ and α + β = 3, so `x_1` is 12. Let 直角 be"
    own, counted = word_counts(text, "en")
    assert (own, counted) == (6, 8)  # Let, and, so, is, Let, be; 直 and 角; $..$, `..`, α, β not counted
    assert language_share("3 + 4 = 7\n7 * 2 = 14", "en") == 1.0  # no words: nothing mixed


def test_kana_and_hangul_are_other_words_for_both_targets():
    assert language_share("これは test", "en") == 0.25
    assert language_share("한국 test", "zh") == 0.0


def test_toy_mixed_language_thought_scores_zero_and_worked_one():
    problems = make_problems("arithmetic", "train", 40, seed=0, difficulty=1)
    rows = list(warmup_conversations(problems, 0.0, 0.5))
    reward = make_language_reward("en")
    answers = [r["messages"][1]["content"] for r in rows]
    scores = reward(["q"] * len(answers), answers)
    mixed = ["让我们" in a for a in answers]
    assert 0 < sum(mixed) < len(answers)
    assert all(s == (0.0 if m else 1.0) for s, m in zip(scores, mixed))


def test_no_mixing_share_is_the_demo_file():
    problems = make_problems("arithmetic", "train", 40, seed=0, difficulty=1)
    assert list(warmup_conversations(problems, 0.5, 0.0)) == list(warmup_conversations(problems, 0.5))
    assert not any("让我们" in r["messages"][1]["content"] for r in warmup_conversations(problems, 1.0))
