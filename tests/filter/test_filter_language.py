"""Language mixing: English and Chinese traces, with and without mixing, math and code inside."""

from __future__ import annotations

from distill.filter.config import LanguageConfig
from distill.filter.language import LanguageFilter

EN = ("First we expand the product and collect the terms. Then we check each case carefully, "
      "because the sign of the leading coefficient matters here. ") * 6
ZH = "首先我们展开这个乘积并合并同类项。然后我们仔细检查每一种情况，因为首项系数的符号很重要。" * 6
MATH = " Let $\\alpha + \\beta = \\frac{\\pi}{2}$ and \\[ \\sum_{i=1}^{n} x_i^2 = \\theta \\] so α β γ hold. "
CODE = "\n```python\ndef total(values):\n    return sum(v * v for v in values)  # square each value\n```\n"


def completion(think: str, answer: str = "So the answer is $\\boxed{3}$.") -> dict:
    return {"completion": f"<think>\n{think}\n</think>\n\n{answer}", "domain": "math"}


def test_english_clean_with_math_greek_and_code_is_kept():
    f = LanguageFilter(LanguageConfig(target="en"))
    assert f(completion(EN + MATH + CODE + EN)) is None
    assert f(completion(EN + "Résumé of the naïve approach: café. " + MATH)) is None  # accents are Latin


def test_english_with_chinese_is_rejected():
    f = LanguageFilter(LanguageConfig(target="en"))
    decision = f(completion(EN + "所以我们需要重新计算这个值。等一下，这里可能有错误。" + EN))
    assert decision is not None and decision.reason == "language" and "thought" in decision.detail


def test_chinese_in_answer_is_rejected():
    f = LanguageFilter(LanguageConfig(target="en"))
    decision = f(completion(EN, "因此答案应该是三，我们已经验证过这个结果是正确的。So it is $\\boxed{3}$."))
    assert decision is not None and "answer" in decision.detail


def test_chinese_clean_with_math_and_code_is_kept():
    f = LanguageFilter(LanguageConfig(target="zh"))
    assert f(completion(ZH + MATH + CODE + ZH, "所以答案是 $\\boxed{3}$。")) is None


def test_chinese_with_english_is_rejected():
    f = LanguageFilter(LanguageConfig(target="zh"))
    decision = f(completion(ZH + " Wait, maybe I made a mistake; let me carefully recompute everything from the start. " * 3 + ZH))
    assert decision is not None and decision.reason == "language" and "not zh script" in decision.detail


def test_threshold_and_min_letters():
    mixed = completion(EN + "这里。" + EN)  # 3 Han letters in ~1400 Latin ones: a trace, not mixing
    assert LanguageFilter(LanguageConfig(target="en"))(mixed) is None
    assert LanguageFilter(LanguageConfig(target="en", max_other_share=0.0))(mixed).reason == "language"
    assert LanguageFilter(LanguageConfig(target="en"))(completion("好")) is None  # too few letters to judge
