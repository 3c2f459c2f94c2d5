"""OpenR1-Math-220k (open-r1): one problem, 2-4 R1 generations, each with its own verdicts.

Columns: problem, solution, answer, problem_type, question_type, source, uuid, generations (list of
R1 outputs, `<think>` tags included), finish_reasons, correctness_math_verify, correctness_llama,
is_reasoning_complete (lists aligned with generations), correctness_count, messages (the one
trace the authors chose, as a chat). Each generation becomes one trace with its finish reason;
the dataset's own verdicts ride along as metadata, so nothing it says about a trace is lost.
"""

from __future__ import annotations

from distill.formats import answers
from distill.formats.base import Bad, Format, answer_text, listed, nonempty, text
from distill.formats.chat import conversation as chat_conversation

VERDICTS = ("correctness_math_verify", "correctness_llama", "is_reasoning_complete")


def prompt(row: dict) -> dict:
    answer = answer_text(row, "answer")
    if answer is None:
        raise Bad("missing column 'answer'")
    return {
        "problem": nonempty(row, "problem"),
        "answer": answers.checked(answer, "answer"),
        "domain": "math",
        "id": text(row, "uuid", required=False),
    }


def traces(row: dict) -> list:
    generations = listed(row, "generations", str)
    if not generations:
        raise Bad("column 'generations' is empty")
    try:
        base = prompt(row)
    except Bad as exc:  # e.g. a proof: every trace the row holds is unverifiable, and counted as such
        return [exc] * len(generations)
    reasons = listed(row, "finish_reasons", str, required=False, allow_null_items=True)
    if reasons is not None and len(reasons) != len(generations):
        raise Bad(f"column 'finish_reasons' has {len(reasons)} entries for {len(generations)} generations")
    verdicts = {}
    for key in VERDICTS:
        values = listed(row, key, bool, required=False, allow_null_items=True)
        if values is not None and len(values) != len(generations):
            raise Bad(f"column '{key}' has {len(values)} entries for {len(generations)} generations")
        verdicts[key] = values
    shared = {k: row[k] for k in ("source", "problem_type", "question_type", "uuid") if isinstance(row.get(k), str)}
    out = []
    for i, generation in enumerate(generations):
        meta = {**shared, **{k: v[i] for k, v in verdicts.items() if v is not None}}
        out.append(
            {
                "problem": base["problem"],
                "answer": base["answer"],
                "domain": "math",
                "completion": generation,
                "finish_reason": (reasons[i] if reasons and reasons[i] else "unknown"),
                "sample_index": i,
                "teacher": "deepseek-ai/DeepSeek-R1",
                "meta": meta,
            }
        )
    return out


def conversation(row: dict) -> list[dict]:
    """The authors' chosen trace (`messages`); the filter reads every generation instead."""
    return chat_conversation(row)


FORMAT = Format(
    "openr1_math",
    "open-r1/OpenR1-Math-220k (default, extended, all)",
    ("problem", "generations"),
    prompt=prompt,
    traces=traces,
    conversation=conversation,
)
