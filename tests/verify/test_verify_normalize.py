"""The fast exact path (verify/normalize.py): common answer forms decide without math-verify, and a
decision is always a proof (equal canonical forms), never a guess; anything else is left to math-verify."""

from __future__ import annotations

import pytest

from distill.verify import math as verify_math
from distill.verify.normalize import normalize, numeric_value

EQUAL = [
    ("3\\sqrt{2}", "\\sqrt{18}"), ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"), ("\\frac{\\sqrt3}{2}", "\\sqrt{3}/2"),
    ("2+\\sqrt{3}", "\\sqrt{3} + 2"), ("\\frac{1+\\sqrt{5}}{2}", "\\frac12+\\frac{\\sqrt5}{2}"), ("\\frac{2\\pi}{3}", "\\frac{2}{3}\\pi"),
    ("\\pi/3", "\\dfrac{\\pi}{3}"), ("2\\pi", "\\pi \\cdot 2"), ("-\\frac{2}{3}", "\\frac{-4}{6}"), ("0.25", "\\frac{1}{4}"),
    ("(0, \\frac{1}{2}]", "\\left(0,\\tfrac12\\right]"), ("(-\\infty, 3)", "(-\\infty,3)"), ("(1, -2)", "\\left(1,-2\\right)"),
    ("\\{1, 2, 3\\}", "\\left\\{3,1,2\\right\\}"), ("2^{10}", "1024"), ("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}"),
]
DIFFERENT = [  # both exact: surely different
    ("3\\sqrt{2}", "2\\sqrt{3}"), ("\\frac{\\pi}{3}", "\\frac{\\pi}{4}"), ("2+\\sqrt{3}", "2-\\sqrt{3}"), ("\\{1,2\\}", "\\{1,3\\}"),
    ("(1,2)", "(2,1)"), ("(0,1]", "[0,1]"), ("\\sqrt{2}", "\\frac{7}{5}"),
]
UNSURE = [  # outside the grammar: math-verify decides
    "2\\frac{1}{2}", "x^2+2x+1", "\\sqrt[3]{8}", "(0,1]\\cup(2,3)", "\\{1,000\\}", "\\frac{3}{\\pi}", "\\sqrt{-4}", "e^{2}",
    "\\sin(30)", "10^{-3}", "2^{100}" * 3,
]


@pytest.mark.parametrize("a, b", EQUAL)
def test_equivalent_forms_have_one_exact_value(a, b):
    va, vb = numeric_value(normalize(a)), numeric_value(normalize(b))
    assert va is not None and vb is not None and va[0] == vb[0]


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_different_exact_forms_differ_and_are_exact(a, b):
    va, vb = numeric_value(normalize(a)), numeric_value(normalize(b))
    assert va[0] != vb[0] and va[1] and vb[1]


@pytest.mark.parametrize("text", UNSURE)
def test_forms_outside_the_grammar_are_left_to_math_verify(text):
    assert numeric_value(normalize(text)) is None


def test_decimals_equal_only_when_exactly_equal_and_never_surely_different():
    assert numeric_value("0.5")[0] == numeric_value("\\frac{1}{2}")[0]
    assert numeric_value("0.333")[1] is False  # 0.333 vs 1/3: rounding is math-verify's call


def test_fast_verdicts_agree_with_math_verify_on_the_generator_forms():
    """Soundness: on pairs the realistic benchmark generator writes, every fast decision matches what
    math-verify alone says (a sample of each form; degree signs excluded: math-verify misreads 50°)."""
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import answer_forms

    rng, checked = random.Random(3), 0
    for make, _ in answer_forms.FORMS:
        answer = make(rng)
        for pred in answer.equivalents + answer.wrong:
            if "°" in pred:
                continue
            va, vb = numeric_value(normalize(answer.reference)), numeric_value(normalize(pred))
            if va and vb and (va[0] == vb[0] or (va[1] and vb[1])):
                assert (va[0] == vb[0]) == (verify_math._math_verify(answer.reference, pred, 10.0) == "correct"), (answer.reference, pred)
                checked += 1
    assert checked >= 20


def _fast_verdict(reference: str, pred: str):
    """The verifier's verdict when the fast path decides, else None (math-verify would be asked)."""
    asked = []
    real = verify_math._math_verify
    verify_math._math_verify = lambda *args: asked.append(args) or "wrong_answer"
    try:
        verify_math._judge.cache_clear()
        correct, _ = verify_math.equivalent(reference, pred)
    finally:
        verify_math._math_verify = real
        verify_math._judge.cache_clear()
    return None if asked else correct


FAST_WRONG = [  # decided "wrong" without sympy since the forms below got a sure rule
    ("[-13, -2)", "(-13, -2)"), ("(3, 2, 6)", "(6, 2, 3)"), ("\\{8, 12, 25\\}", "\\{8, 12\\}"), ("(4, 3)", "(3, 4)"),
    ("833.8", "833.9"), ("35\\%", "40\\%"), ("35\\%", "36"), ("(x+9)(x+8)", "x^2+17x+73"), ("Monday", "\\text{Friday}"),
]
FAST_CORRECT = [("\\{-10, 1\\}", "\\left\\{1, -10\\right\\}"), ("(x+9)(x+8)", "x^2+17x+72"), ("(\\frac{29}{36}, 4, 8)", "(29/36,4,8)")]
LEFT_TO_MATH_VERIFY = [  # a reading may make these equal: rounding, 50% = 1/2, (1,2) against {1,2}, anagrams, i^4 = 1
    ("0.333333", "\\frac13"), ("1.0000001", "1.0000002"), ("50\\%", "\\frac12"), ("(1, 2)", "\\{1, 2\\}"), ("no", "on"),
    ("iiiia", "a"), ("[4, 3]", "[4, 2]"), ("12345678.5", "12345678.6"),
]


@pytest.mark.parametrize("reference, pred", FAST_WRONG + FAST_CORRECT)
def test_sure_rules_decide_and_agree_with_math_verify(reference, pred):
    fast = _fast_verdict(reference, pred)
    assert fast is not None
    assert fast == (verify_math._math_verify(reference, pred, 20.0) == "correct")


@pytest.mark.parametrize("reference, pred", LEFT_TO_MATH_VERIFY)
def test_pairs_a_reading_could_make_equal_go_to_math_verify(reference, pred):
    assert _fast_verdict(reference, pred) is None


def test_every_fast_verdict_on_the_generator_forms_is_math_verifys():
    """Soundness of the whole fast path (rewrites, normalization, exact values, sure-different rules)
    on a sample of every form the realistic generator writes: each decision equals math-verify's
    verdict alone. Degree signs excluded: math-verify misreads 50°; `5` against `\\{5\\}` is the
    one known difference (math-verify reads a number as a one-element set)."""
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import answer_forms

    rng, decided = random.Random(4), 0
    for _ in range(4):
        for make, _ in answer_forms.FORMS:
            answer = make(rng)
            for pred in answer.equivalents + answer.wrong:
                fast = _fast_verdict(answer.reference, pred)
                if fast is None or "°" in pred:
                    continue
                decided += 1
                truth = verify_math._math_verify(verify_math.rewrite(answer.reference), verify_math.rewrite(pred), 20.0)
                assert fast == (truth == "correct"), (answer.reference, pred)
    assert decided >= 150
