"""distill's own records: prompt records (problem, answer, domain, id, tests) and trace records
(the contract in shared/DESIGN.md: problem + completion + ...), as `distill generate` writes them.

The filter checks trace records field by field itself (distill/filter/record.py, where a recipe's
`columns` mapping also applies), so `traces` hands the row on unchanged.
"""

from __future__ import annotations

from typing import Any

from distill.formats import tests_layouts, think
from distill.formats.base import Format, answer_text, nonempty, text


def prompt(row: dict) -> dict:
    record: dict[str, Any] = {
        "problem": nonempty(row, "problem"),
        "answer": answer_text(row, "answer") or "",
        "domain": text(row, "domain", required=False),
        "id": _id(row),
    }
    if row.get("tests") is not None:
        record["tests"] = tests_layouts.from_list(row["tests"], "tests")
    return record


def _id(row: dict) -> str | None:
    value = row.get("prompt_id", row.get("id"))
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def traces(row: dict) -> list:
    return [row]


def conversation(row: dict) -> list[dict]:
    key = "problem" if "problem" in row else "prompt"
    return [
        {"role": "user", "content": nonempty(row, key)},
        {"role": "assistant", "content": think.to_think(nonempty(row, "completion"))},
    ]


FORMAT = Format(
    "trace",
    "distill generate output; any file with problem + completion (columns map other names)",
    ("problem", "completion"),
    prompt=prompt,
    traces=traces,
    conversation=conversation,
)
PROMPTS = Format(
    "prompts",
    "distill prompt records; any file with a problem column (columns map other names)",
    ("problem",),
    prompt=prompt,
)
