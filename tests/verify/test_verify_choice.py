"""The choice verifier: one letter from the last box or an answer line; hedges are wrong."""

import pytest

from distill.errors import DistillError
from distill.verify import verify


def final(text: str) -> str:
    return "<think>Option A looks tempting: \\boxed{A}? No.</think>\n\n" + text


@pytest.mark.parametrize(
    "text, gold",
    [
        ("\\boxed{B}", "B"), ("\\boxed{(B)}", "B"), ("\\boxed{\\text{B}}", "B"), ("\\boxed{B) 42}", "B"),
        ("\\boxed{b}", "B"), ("Answer: C", "C"), ("The answer is (D).", "D"), ("**Final answer: B**", "B"),
        ("Answer: B. A is wrong because it ignores friction.", "B"), ("The answer is (C) because A fails.", "C"),
        ("\\boxed{B} so the answer is \\boxed{B}", "B"), ("\\boxed{C}", "(C)"),
    ],
)
def test_letter_is_read(text, gold):
    verdict = verify(final(text), gold, "choice")
    assert (verdict.correct, verdict.reason) == (True, "correct")


@pytest.mark.parametrize(
    "text", ["Answer: A or B", "\\boxed{A/B}", "\\boxed{A} \\boxed{B}", "\\boxed{A or B}", "Answer: A, C",
             "\\boxed{A and C}", "Answer: A\n\nOn reflection, answer: C"],
)
def test_hedges_are_wrong_even_when_they_include_the_right_letter(text):
    verdict = verify(final(text), "A", "choice")
    assert (verdict.correct, verdict.reason) == (False, "hedge")


@pytest.mark.parametrize(
    "completion, reason",
    [
        (final("\\boxed{C}"), "wrong_answer"),
        (final("I think it's B"), "no_answer"),
        (final("\\boxed{42}"), "no_answer"),
        (final("\\boxed{E}"), "invalid_choice"),
        (final("\\boxed{}"), "empty_box"),
        ("The answer is \\boxed{B}", "no_think_close"),
        ("<think>Answer: B</think> Let me stop here.", "no_answer"),
    ],
)
def test_failures_have_reasons(completion, reason):
    verdict = verify(completion, "B", "choice")
    assert (verdict.correct, verdict.reason) == (False, reason)


def test_letters_are_configurable_up_to_j():
    assert verify(final("\\boxed{E}"), "E", "choice", letters="ABCDE").correct
    assert verify(final("Answer: J"), "J", "choice", letters="ABCDEFGHIJ").correct
    with pytest.raises(DistillError, match="A-J"):
        verify(final("\\boxed{K}"), "K", "choice", letters="ABCDEFGHIJK")


def test_reference_outside_the_letters_is_an_error():
    with pytest.raises(DistillError, match="not one of the letters"):
        verify(final("\\boxed{E}"), "E", "choice")
