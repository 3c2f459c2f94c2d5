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


@pytest.mark.parametrize("text, gold", [
    ("The answer is D, not A or B.", "D"),
    ("Answer: C (A and B are ruled out by the boundary condition)", "C"),
    ("The correct answer is B; A and D contradict the data.", "B"),
    ("The answer is not A. The answer is C.", "C"),  # a negated answer line is no answer
    ("Die Antwort ist nicht B. Antwort: D", "D"),
])
def test_letters_named_to_be_ruled_out_are_not_a_hedge(text, gold):
    verdict = verify(final(text), gold, "choice")
    assert (verdict.correct, verdict.reason) == (True, "correct")


@pytest.mark.parametrize("text", ["Answer: B or maybe D", "The answer is B and D.", "Antwort: B oder D", "答案是 B 或 D"])
def test_offering_two_letters_is_still_a_hedge(text):
    assert verify(final(text), "B", "choice").reason == "hedge"


@pytest.mark.parametrize("text, gold", [
    ("Checking each option, only one survives.\n\nC", "C"),
    ("Only one option is consistent.\n\n(B).", "B"),
    ("So:\n**D**", "D"),
    ("答案是 C", "C"), ("答案：B", "B"), ("答案为 D。", "D"), ("正确答案是（A）", "A"),
    ("Réponse : C", "C"), ("La réponse est B.", "B"), ("Antwort: D", "D"), ("Die Antwort lautet A.", "A"),
    ("Respuesta: C", "C"), ("La respuesta es (B).", "B"), ("Resposta: D", "D"), ("Risposta: A", "A"),
    ("Ответ: B", "B"), ("正解は C です。", "C"), ("정답은 D입니다.", "D"),
])
def test_bare_final_letters_and_other_languages_are_read(text, gold):
    verdict = verify(final(text), gold, "choice")
    assert (verdict.correct, verdict.reason) == (True, "correct"), verdict


def test_a_bare_final_letter_that_contradicts_the_answer_line_is_a_hedge():
    assert verify(final("Answer: B\n\nC"), "B", "choice").reason == "hedge"
    assert verify(final("Options:\nA) 1\nB) 2\nC) 3"), "C", "choice").reason == "no_answer"  # an option list is no answer
