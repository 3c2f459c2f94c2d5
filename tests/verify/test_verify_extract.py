"""Answer extraction by DESIGN.md's rules: after the last </think>, last balanced box, hedges, empty boxes."""

import time

import pytest

from distill.verify import extract_final_answer
from distill.verify.extract import extract, find_boxes
from distill.verify.normalize import normalize, numeric_value, same_answer


def test_final_text_is_after_the_last_think_close():
    text, boxed, reason = extract_final_answer("<think>a</think> mid </think>\n\nfinal \\boxed{7}")
    assert text == "\n\nfinal \\boxed{7}"
    assert (boxed, reason) == ("7", "ok")


def test_no_think_close_means_no_answer_even_with_a_box():
    assert extract_final_answer("<think>so \\boxed{5}") == (None, None, "no_think_close")
    assert extract_final_answer("The answer is \\boxed{5}.") == (None, None, "no_think_close")


def test_answer_only_inside_the_think_block_is_no_answer():
    text, boxed, reason = extract_final_answer("<think>it is \\boxed{5}</think>\n\nI am not sure.")
    assert text == "\n\nI am not sure." and boxed is None and reason == "no_answer"


@pytest.mark.parametrize(
    "final, expected",
    [
        ("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "\\left( 3, \\frac{\\pi}{2} \\right)"),
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),  # escaped set braces are not groups
        ("\\boxed{a^{b^{c}}} trailing", "a^{b^{c}}"),
        ("\\fbox{12}", "12"),
        ("\\boxed 5.", "5."),
        ("\\boxed \\pi", "\\pi"),
        ("$\\boxed{ 42 }$", "42"),
        ("\\boxed{\\boxed{3}}", "\\boxed{3}"),  # nested boxes belong to the outer one
    ],
)
def test_last_box_with_balanced_braces(final, expected):
    assert extract_final_answer("<think></think>" + final)[1:] == (expected, "ok")


def test_unclosed_box_is_skipped():
    assert find_boxes("\\boxed{1} then \\boxed{2") == ["1"]
    assert extract_final_answer("<think></think>\\boxed{2")[1:] == (None, "no_answer")


def test_disagreeing_boxes_are_a_hedge():
    assert extract_final_answer("<think></think>\\boxed{3} or maybe \\boxed{4}")[1:] == ("4", "hedge")


def test_boxes_that_agree_after_normalization_are_not_a_hedge():
    for first, last in [("\\frac12", "0.5"), ("\\dfrac{1}{2}", "1/2"), ("x = 5", "5"), ("30^\\circ", "30"), ("7", "7")]:
        assert extract(f"<think></think>\\boxed{{{first}}} so \\boxed{{{last}}}").reason == "ok", (first, last)


def test_empty_box_is_wrong_and_empty_earlier_boxes_are_ignored():
    assert extract_final_answer("<think></think>\\boxed{ }")[1:] == ("", "empty_box")
    assert extract_final_answer("<think></think>you asked for \\boxed{} so: \\boxed{9}")[1:] == ("9", "ok")


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"),
        ("\\dfrac{1}{2}", "\\frac{1}{2}"),
        ("\\frac12", "\\frac{1}{2}"),
        ("10\\sqrt2", "10\\sqrt{2}"),
        ("\\text{(C)}", "(C)"),
        ("90^\\circ", "90"),
        ("5\\text{ cm}", "5"),
        ("$7$.", "7"),
        ("10,\\!000", "10,000"),
        ("p - q", "p-q"),
    ],
)
def test_normalize(raw, canonical):
    assert normalize(raw) == canonical


def test_numeric_values_are_exact():
    from fractions import Fraction

    assert numeric_value("0.5") == (Fraction(1, 2), False)
    assert numeric_value("\\frac{3}{6}") == (Fraction(1, 2), True)
    assert numeric_value("-3/4") == (Fraction(-3, 4), True)
    assert numeric_value("10,000") == (Fraction(10000), True)
    assert numeric_value("1/0") is None and numeric_value("x") is None
    assert same_answer("1/2", "0.5") and not same_answer("1/3", "0.33")


@pytest.mark.parametrize(
    "completion",
    [
        "a" * 1_000_000,  # no </think>
        "<think>" + "a" * 1_000_000 + "</think>\\boxed{5}",
        "<think></think>" + "\\boxed{" * 140_000,  # a million unclosed boxes
        "<think></think>\\boxed{" + "{" * 500_000 + "}" * 500_000 + "}",  # deep nesting
        "<think></think>" + "\\boxed{5} " * 100_000,
        "<think></think>" + "".join(f"\\boxed{{{i}}}" for i in range(50_000)),
        "<think></think>" + "\\boxed{" * 140_000 + "}",  # one close at the very end
        "<think></think>" + "\\boxed{1} \\boxed{{2}} " * 50_000,  # flat and nested mixed
    ],
)
def test_extraction_is_fast_on_megabyte_completions(completion):
    # Linear work takes well under a second here; a quadratic scan would take minutes. The bound
    # leaves room for a machine shared with other test runs.
    started = time.monotonic()
    extract(completion)
    assert time.monotonic() - started < 5.0
