"""Multi-part answers: one box per part of a set or list reference, and references with several boxes."""

import pytest

from distill.verify import verify
from distill.verify.parts import reference_parts, split_parts


def final(text: str) -> str:
    return "<think>Try x = 4: no. \\boxed{4}</think>\n\n" + text


@pytest.mark.parametrize("answer, parts", [
    ("-1, 5", ("-1", "5")), ("\\{-1, 5\\}", ("-1", "5")), ("\\left\\{ \\frac{1}{3}, 2 \\right\\}", ("\\frac{1}{3}", "2")),
    ("x = 1, x = 6", ("x = 1", "x = 6")), ("f(1, 2), 3", ("f(1, 2)", "3")),
    ("(1, 5)", ()), ("[1, 5]", ()), ("5", ()), ("4,096", ()),  # a pair or interval, one number
])
def test_reference_parts(answer, parts):
    assert split_parts(answer) == parts


@pytest.mark.parametrize("text, gold, reason", [
    ("The roots are $\\boxed{-1}$ and $\\boxed{5}$.", "-1, 5", "correct"),
    ("The roots are $\\boxed{5}$ and $\\boxed{-1}$.", "\\{-1, 5\\}", "correct"),  # a set: any order
    ("$x = \\boxed{\\frac{1}{3}}$ or $x = \\boxed{2}$", "\\frac13, 2", "correct"),
    ("$\\boxed{-1}$, $\\boxed{5}$ and $\\boxed{-1}$ again", "-1, 5", "correct"),  # a repeated part is one part
    ("First $\\boxed{7}$; the roots: $\\boxed{-1}$, $\\boxed{5}$", "-1, 5", "hedge"),  # an intermediate box
    ("$\\boxed{-1}$ and $\\boxed{5}$", "-1, 5, 6", "hedge"),  # a part missing
    ("$\\boxed{-1}$ and $\\boxed{6}$", "-1, 5", "hedge"),
    ("$\\boxed{-1}$ and $\\boxed{5}$", "5", "hedge"),  # a single-valued reference: still a hedge
    ("$\\boxed{1}$ and $\\boxed{5}$", "(1, 5)", "hedge"),  # an interval or a point: one box needed
    ("$\\boxed{-1, 5}$", "-1, 5", "correct"),
])
def test_one_box_per_part(text, gold, reason):
    assert verify(final(text), gold, "math").reason == reason


def test_a_reference_with_several_boxes_is_all_of_them():
    solution = "Part (a) gives $\\boxed{12}$ and part (b) gives $\\boxed{30}$."
    assert reference_parts(solution) == ("12, 30", ("12", "30"))
    assert verify(final("$\\boxed{12}$ and $\\boxed{30}$"), solution, "math").correct
    assert verify(final("$\\boxed{12, 30}$"), solution, "math").correct
    assert verify(final("$\\boxed{30}$"), solution, "math").reason == "wrong_answer"  # not just the last box
    agreeing = "So $\\boxed{\\frac{1}{2}}$, that is $\\boxed{0.5}$."
    assert reference_parts(agreeing)[0] == "\\frac{1}{2}" and verify(final("$\\boxed{0.5}$"), agreeing, "math").correct
