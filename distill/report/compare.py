"""Pairs of reported models compared on the same problems: the pass@1 difference and its paired error.

    report:
      compare:                                   # {label: [model, reference]} (row names of `results`)
        rejection-sampled SFT vs cold start: [sft_800k, cold_start]

Per task, over the problems both models answered (matched by problem id from their samples.jsonl):
the mean over problems of (A's share of correct samples - B's), and its standard error over those
problems. Paired, so the problem-to-problem spread both models share cancels: a difference can be
significant when the two rows' own error bars overlap. Without per-sample logs the task is noted.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

from distill.evaluate.results import SAMPLES


def problem_scores(directory: Path) -> dict[str, dict[str, float]]:
    """{task: {problem id: share of its samples correct}} from a result dir's samples.jsonl."""
    file = Path(directory) / SAMPLES
    if not file.is_file():
        return {}
    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        key = str(row.get("problem_id") if row.get("problem_id") is not None else row.get("doc_id"))
        hits[(str(row.get("task", "?")), key)].append(bool(row.get("correct")))
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    for (task, problem), values in hits.items():
        scores[task][problem] = sum(values) / len(values)
    return dict(scores)


def paired_difference(a: dict[str, float], b: dict[str, float]) -> tuple[float, float, int] | None:
    """(mean difference a - b, its standard error, problems) over the problems in both."""
    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    diffs = [a[p] - b[p] for p in shared]
    mean = sum(diffs) / len(diffs)
    var = sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1) if len(diffs) > 1 else 0.0
    return mean, math.sqrt(var / len(diffs)), len(diffs)


def compare_rows(models: list, pairs: dict[str, list[str]], tasks: list[str]) -> tuple[list[str], list[list[str]]]:
    """The comparison table: label, task, A, B, A - B ± paired standard error (points), problems."""
    by_name = {m.name: m for m in models}
    header = [
        "comparison",
        "benchmark",
        "model",
        "pass@1 (%)",
        "reference",
        "pass@1 (%)",
        "difference (points)",
        "problems",
    ]
    rows = []
    for label, pair in pairs.items():
        a_name, b_name = pair[0], pair[1]
        a, b = by_name.get(a_name), by_name.get(b_name)
        if a is None or b is None:
            missing = a_name if a is None else b_name
            rows.append([label, "–", a_name, "–", b_name, "–", f"no results for {missing}", "–"])
            continue
        a_scores, b_scores = problem_scores(a.path), problem_scores(b.path)
        for task in tasks:
            ta, tb = a.results["tasks"].get(task), b.results["tasks"].get(task)
            if ta is None or tb is None:
                continue
            paired = paired_difference(a_scores.get(task, {}), b_scores.get(task, {}))
            if paired is None:
                diff, n = f"{100 * (ta['pass@1'] - tb['pass@1']):+.1f} (no per-sample logs: unpaired)", "–"
            else:
                diff, n = f"{100 * paired[0]:+.1f} ± {100 * paired[1]:.1f}", str(paired[2])
            rows.append(
                [label, task, a_name, f"{100 * ta['pass@1']:.1f}", b_name, f"{100 * tb['pass@1']:.1f}", diff, n]
            )
    return header, rows
