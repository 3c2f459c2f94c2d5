"""s1K-1.1 (simplescaling): thinking and answer in separate columns, joined into one completion.

Columns: question, solution (the reference: a short answer or a worked solution), cot_type
(`math`, `science`, `crossword`), source_type, metadata, gemini_thinking_trajectory,
gemini_attempt, deepseek_thinking_trajectory, deepseek_attempt, messages. The completion is
`<think>{deepseek_thinking_trajectory}</think>{deepseek_attempt}`. The reference answer is the
solution's last `\\boxed{}`, or the solution itself when it is one line; a worked solution without
a box is Unverifiable. Science and crossword answers are free text: domain `general` by default.
"""

from __future__ import annotations

from distill.formats import answers, think
from distill.formats.base import Format, Unverifiable, nonempty, text

DOMAIN_DEFAULTS = {"science": "general", "crossword": "general"}  # s1K's own domain names -> ours


def _answer(row: dict) -> str:
    solution = nonempty(row, "solution").strip()
    if "\\boxed" in solution:
        return answers.last_box(solution)
    if "\n" in solution:
        raise Unverifiable("column 'solution' is a worked solution without a \\boxed{} answer")
    return solution


def prompt(row: dict) -> dict:
    return {
        "problem": nonempty(row, "question"),
        "answer": _answer(row),
        "domain": text(row, "cot_type", required=False) or "math",
    }


def _completion(row: dict) -> str:
    return think.join(nonempty(row, "deepseek_thinking_trajectory"), nonempty(row, "deepseek_attempt"))


def traces(row: dict) -> list:
    record = {
        **prompt(row),
        "completion": _completion(row),
        "finish_reason": "stop",
        "teacher": "deepseek-ai/DeepSeek-R1",
    }
    meta = {k: row[k] for k in ("source_type", "cot_type") if isinstance(row.get(k), str)}
    return [{**record, "meta": meta}]


def conversation(row: dict) -> list[dict]:
    return [{"role": "user", "content": nonempty(row, "question")}, {"role": "assistant", "content": _completion(row)}]


FORMAT = Format(
    "s1k",
    "simplescaling/s1K-1.1 (deepseek columns)",
    ("question", "deepseek_thinking_trajectory"),
    prompt=prompt,
    traces=traces,
    conversation=conversation,
    domains=DOMAIN_DEFAULTS,
)
