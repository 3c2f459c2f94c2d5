"""NuminaMath-CoT and NuminaMath-1.5 (AI-MO): math problems with worked (non-R1) solutions.

Columns: problem, solution, source, messages (CoT); 1.5 adds answer, problem_type, question_type,
problem_is_valid, solution_is_valid, synthetic. The reference answer is the `answer` column (1.5)
or the last `\\boxed{}` of the solution (CoT has no answer column). `proof` / `notfound` answers
and `question_type: proof` rows are Unverifiable, never taken as answers. A prompt set: generate
samples R1 traces for it; train-student can read its solutions as plain CoT conversations.
"""

from __future__ import annotations

from distill.formats import answers
from distill.formats.base import Bad, Format, Unverifiable, answer_text, nonempty, text


def _answer(row: dict) -> str:
    if row.get("question_type") == "proof":
        raise Unverifiable("question_type is 'proof'; no verifier can check a proof")
    if "answer" in row:
        answer = answer_text(row, "answer")
        if answer is None:
            raise Bad("column 'answer' is null")
        return answers.checked(answer, "answer")
    return answers.last_box(text(row, "solution"), "solution")


def prompt(row: dict) -> dict:
    return {"problem": nonempty(row, "problem"), "answer": _answer(row), "domain": "math"}


def conversation(row: dict) -> list[dict]:
    return [
        {"role": "user", "content": nonempty(row, "problem")},
        {"role": "assistant", "content": nonempty(row, "solution")},
    ]


FORMAT = Format(
    "numina_math",
    "AI-MO/NuminaMath-CoT, AI-MO/NuminaMath-1.5",
    ("problem", "solution"),
    prompt=prompt,
    conversation=conversation,
)
