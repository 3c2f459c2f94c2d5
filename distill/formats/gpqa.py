"""GPQA (Idavidrein/gpqa): a question, its correct answer and three incorrect ones, as text.

As a prompt the question carries its four options, in the order and with the letters `distill
eval` shows (distill.evaluate.choices: a shuffle seeded by the question), and the reference is
that letter: domain `choice`. `Record ID` is the id.
"""

from __future__ import annotations

from distill.formats.base import Format, nonempty, text

COLUMNS = ("Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")


def prompt(row: dict) -> dict:
    from distill.evaluate.choices import options_text, shuffle_choices

    question = nonempty(row, "Question").strip()
    wrong = [nonempty(row, f"Incorrect Answer {i}") for i in (1, 2, 3)]
    choices, letter = shuffle_choices(question, nonempty(row, "Correct Answer"), wrong)
    return {
        "problem": options_text(question, choices),
        "answer": letter,
        "domain": "choice",
        "id": text(row, "Record ID", required=False),
        "choices": choices,
        "question": question,
    }


FORMAT = Format("gpqa", "Idavidrein/gpqa (gpqa_diamond, gpqa_main, gpqa_extended)", COLUMNS[:3], prompt=prompt)
