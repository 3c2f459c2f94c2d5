"""Scoring hooks for distill's lm-eval tasks (the YAMLs in this directory reference them via `!function`).

Kept thin on purpose: data loading, prompts and scoring live in distill.evaluate, and scoring goes
through the shared verifier (distill.verify), the same one the rejection filter and the GRPO rewards use.
"""

from __future__ import annotations

from distill.evaluate import data as _data
from distill.evaluate.choices import choice_prompt
from distill.evaluate.scoring import process_results as _process_results


def load_benchmark(
    benchmark, shape="math", hub_path=None, hub_name=None, hub_split="test", toy_task=None, distill=None, **_metadata
):
    """`custom_dataset` hook. lm-eval passes the task's `dataset_kwargs` plus its metadata;
    `distill` (set by `distill eval` through TaskManager metadata) carries the local-file overrides
    ({"data": {task: path}}) and the toy task size ({"toy": {"n", "difficulty", "seed"}})."""
    options = distill or {}
    local = options.get("data", {}).get(benchmark)
    if toy_task and not local:
        toy = options.get("toy", {})
        rows = _data.toy_rows(toy_task, int(toy.get("n", 100)), int(toy.get("difficulty", 1)), int(toy.get("seed", 0)))
    else:
        rows = _data.load_rows(benchmark, local, hub_path, hub_name, hub_split)
    make = _data.gpqa_doc if shape == "gpqa" else _data.math_doc
    return _data.as_dataset_dict([make(row, i, benchmark) for i, row in enumerate(rows)])


def doc_to_text(doc):
    """The user turn: the problem and R1's instruction (math) or the simple-evals template (choice)."""
    if doc["domain"] == "choice":
        return choice_prompt(doc["problem"], list(doc["choices"]))
    return f"{doc['problem']}\n{_data.R1_INSTRUCTION}"


def all_samples(resps, docs):
    """Filter that keeps all k completions of each request (lm-eval's default keeps only the first)."""
    return [list(r) for r in resps]


def process_results(doc, results):
    return _process_results(doc, results)
