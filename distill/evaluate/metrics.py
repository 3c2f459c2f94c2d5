"""Per-task numbers from per-sample rows: pass@1 ± standard error, cons@k, response lengths.

The standard error is over problems (the sample standard deviation of per-problem pass@1 divided by
sqrt(n)), the same closed form lm-eval uses for a `mean` aggregation, so the two agree exactly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from distill.evaluate.scoring import score_problem


def mean_stderr(values: list[float]) -> float | None:
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return math.sqrt(var) / math.sqrt(n)


def group_by_problem(rows: Iterable[dict[str, Any]]) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """{task: {doc_id: [rows sorted by sample_index]}}, tasks and problems in first-seen order."""
    grouped: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row["task"]][row["doc_id"]].append(row)
    for problems in grouped.values():
        for samples in problems.values():
            samples.sort(key=lambda r: r["sample_index"])
    return grouped


def _verdict(row: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(correct=bool(row["correct"]), extracted=row.get("extracted"), reason=row.get("reason"))


def task_metrics(problems: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Numbers for one task from its scored rows (each row already carries its verdict)."""
    pass1, cons, ks = [], [], set()
    for samples in problems.values():
        first = samples[0]
        score = score_problem([], str(first["answer"]), first["domain"], verdicts=[_verdict(r) for r in samples])
        pass1.append(score.pass_at_1)
        cons.append(score.cons_at_k)
        ks.add(len(samples))
    rows = [r for samples in problems.values() for r in samples]
    tokens = [r["completion_tokens"] for r in rows if r.get("completion_tokens") is not None]
    n = len(pass1)
    return {
        "n": n,
        "k": max(ks) if ks else 0,
        "samples": len(rows),
        "pass@1": sum(pass1) / n if n else 0.0,
        "pass@1_stderr": mean_stderr(pass1),
        "cons@k": sum(cons) / n if n else 0.0,
        "cons@k_stderr": mean_stderr(cons),
        "mean_tokens": sum(tokens) / len(tokens) if tokens else None,
        "mean_chars": sum(r["completion_chars"] for r in rows) / len(rows) if rows else None,
        "no_answer_rate": sum(1 for r in rows if not r.get("extracted")) / len(rows) if rows else None,
        "truncated_rate": (sum(1 for r in rows if r.get("truncated")) / len(rows)) if rows else None,
    }


def all_task_metrics(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {task: task_metrics(problems) for task, problems in group_by_problem(rows).items()}
