"""The dataset card (README.md in the output dir): what the data is, how it was filtered, the
funnel and its figures. Its YAML header tells `datasets.load_dataset(out_dir)` where the shards are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distill.filter.funnel import markdown

HEADER = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
task_categories:
- text-generation
tags:
- reasoning
- distillation
- distill
---
"""


def write(out_dir: Path, funnel: dict[str, Any], figures: list[str], teachers: list[str], sources: list[str]) -> None:
    body = [
        HEADER,
        "# Distilled reasoning traces",
        "",
        "Teacher traces filtered by `distill filter`, in conversational form: a `messages` column with",
        "the problem as the user turn and the teacher's `<think>…</think>` thought plus final answer as the",
        "assistant turn; metadata columns `id`, `prompt_id`, `domain`, `source`, `answer`,",
        "`completion_tokens`, `teacher`.",
        "",
        "    from datasets import load_dataset",
        '    ds = load_dataset("parquet", data_dir="data", split="train")',
        "",
        f"Sources: {', '.join(sources)}. Teachers: {', '.join(teachers) or 'unknown'}.",
        "Rejected rows with their reason are in `rejects.jsonl`; unreadable rows in `quarantine.jsonl`;",
        "the recipe that made this in `recipe.resolved.yaml`.",
        "",
        markdown(funnel).replace("# Filter funnel", "## Funnel"),
    ]
    body += [f"![{Path(f).stem}]({f})" for f in figures]
    (out_dir / "README.md").write_text("\n".join(body) + "\n", encoding="utf-8")
