"""Ambiguous surface forms: thousands separators versus lists, radicals written without braces."""

import pytest

from distill.verify import verify
from distill.verify.rewrite import rewrite


def boxed(answer: str) -> str:
    return "<think>Let me count carefully.</think>\n\nSo we get $\\boxed{" + answer + "}$."


@pytest.mark.parametrize("raw, rewritten", [
    ("4,096", "4096"), ("12,500,000", "12500000"), ("31,\\! 415,\\! 926", "31415926"), ("7{,}250", "7250"), ("25,\\!600", "25600"), ("2,718.5", "2718.5"),
    ("(2,048, 9)", "(2048, 9)"),  # a thousands number inside a pair
    ("6, 512", "6, 512"), ("18, 275", "18, 275"),  # a space after the comma: list items
    ("4,56", "4,56"), ("1,2,3", "1,2,3"), ("7,0001", "7,0001"),  # groups that are not three digits: a list
    ("\\sqrt[3]27", "\\sqrt[3]{27}"), ("\\sqrt[5]32", "\\sqrt[5]{32}"), ("\\sqrt49", "\\sqrt{49}"), ("3\\sqrt5", "3\\sqrt{5}"),
    ("\\sqrt y", "\\sqrt{y}"), ("\\sqrt[3]{x}", "\\sqrt[3]{x}"), ("\\sqrt{12}", "\\sqrt{12}"),
])
def test_rewrite(raw, rewritten):
    assert rewrite(raw) == rewritten


@pytest.mark.parametrize("gold, pred, correct", [
    ("18275", "18, 275", False),  # two numbers are not one
    ("(18, 275)", "18, 275", True),
    ("18, 275", "18,275", False),  # a pair against a thousands number
    ("18275", "18,275", True),
    ("6512", "6{,}512", True),
    ("6, 512", "6, 512", True),
    ("\\{6, 512\\}", "512, 6", True),
    ("3", "\\sqrt[3]27", True), ("2", "\\sqrt[5]32", True), ("7", "\\sqrt49", True), ("3\\sqrt{5}", "3\\sqrt5", True),
    ("2\\sqrt[3]{2}", "\\sqrt[3]16", True), ("4", "\\sqrt[3]16", False),
])
def test_verdicts(gold, pred, correct):
    verdict = verify(boxed(pred), gold, "math")
    assert verdict.correct is correct, verdict
    assert verdict.extracted == pred  # the answer as written, not as rewritten


def test_a_list_box_and_a_number_box_disagree():
    from distill.verify.extract import extract

    assert extract("<think></think>$\\boxed{18275}$, i.e. $\\boxed{18, 275}$").reason == "hedge"
    assert extract("<think></think>$\\boxed{18275}$, i.e. $\\boxed{18,275}$").reason == "ok"
    assert extract("<think></think>$\\boxed{(1,2)}$, i.e. $\\boxed{(1, 2)}$").reason == "ok"
