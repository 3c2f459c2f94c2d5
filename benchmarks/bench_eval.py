"""Scoring cost of `distill eval`: the task's process_results on MATH-500, and the cons@k vote.

    python benchmarks/bench_eval.py [--benchmarks ../shared/benchmarks]

(a) MATH-500 gold answers as R1 completions, k = 1, through the task's own process_results;
(b) MATH-500 with k = 8 mixed completions per problem (right, right written differently, wrong,
    no </think>, hedge), fresh verifier cache;
(c) the majority vote for k = 64 expression answers: distill's O(k) vote against the pairwise
    math-verify clustering it replaced (the same public verify() call on every pair of distinct answers).
Prints a Markdown table; the figures in docs/benchmarks/eval.md come from it.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path


def r1(answer: str) -> str:
    return f"<think>\nwork\n</think>\n\nThe answer is \\boxed{{{answer}}}."


def pairwise_vote(completions: list[str], answer: str) -> bool:
    """The replaced vote: cluster distinct answers by verify(a, b) on each pair, then the largest."""
    from distill.verify import verify

    verdicts = [verify(c, answer, "math") for c in completions]
    clusters: list[list] = []
    for v in verdicts:
        if not v.extracted:
            continue
        for cluster in clusters:
            rep = cluster[0].extracted
            if "".join(rep.split()) == "".join(v.extracted.split()) or verify(f"</think>\\boxed{{{v.extracted}}}", rep, "math").correct:
                cluster.append(v)
                break
        else:
            clusters.append([v])
    return bool(clusters and max(clusters, key=len)[0].correct)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--benchmarks", default="../shared/benchmarks")
    args = parser.parse_args()
    from distill.evaluate.config import EvalConfig
    from distill.evaluate.scoring import score_problem
    from distill.evaluate.tasks import load_tasks

    task = load_tasks(EvalConfig(tasks=["math500"], data={"math500": str(Path(args.benchmarks) / "math500.jsonl")}))[0]["math500"]
    docs = list(task.test_docs())
    rows = []

    t0 = time.perf_counter()
    assert all(task.process_results(d, [[r1(d["answer"])]])["pass@1"] == 1.0 for d in docs)
    dt = time.perf_counter() - t0
    rows.append(("(a) MATH-500 gold, k=1", len(docs), dt))

    t0 = time.perf_counter()
    for i, d in enumerate(docs):
        wrong = f"{i + 1}\\sqrt{{{i % 7 + 2}}}"
        completions = [r1(d["answer"]), r1(f"{d['answer']} "), r1(wrong), r1(f"{i}"), "no close " + d["answer"],
                       r1(d["answer"]) + f" or \\boxed{{{wrong}}}", r1(f"\\frac{{{i}}}{{{i + 3}}}"), r1(d["answer"])]
        task.process_results(d, [completions])
    dt = time.perf_counter() - t0
    rows.append(("(b) MATH-500, k=8 mixed", len(docs) * 8, dt))

    rng = random.Random(0)
    exprs = [f"\\frac{{{rng.randint(1, 9)}}}{{{rng.randint(2, 9)}}}" for _ in range(200)] + \
            [f"{rng.randint(1, 9)}\\sqrt{{{rng.randint(2, 9)}}}" for _ in range(200)]
    problems = [[r1(rng.choice(exprs)) for _ in range(64)] for _ in range(5)]
    t0 = time.perf_counter()
    ours = [score_problem(p, "\\frac{3}{4}", "math").cons_at_k for p in problems]
    rows.append(("(c) vote, k=64 expressions: distill O(k)", 5 * 64, time.perf_counter() - t0))
    t0 = time.perf_counter()
    theirs = [float(pairwise_vote(p, "\\frac{3}{4}")) for p in problems]
    rows.append(("(c) vote, k=64 expressions: pairwise math-verify", 5 * 64, time.perf_counter() - t0))
    print(f"cons@64 agree on {sum(a == b for a, b in zip(ours, theirs))}/5 problems")

    print("| case | samples | seconds | samples/s |\n|---|---:|---:|---:|")
    for name, n, seconds in rows:
        print(f"| {name} | {n} | {seconds:.2f} | {n / seconds:.0f} |")


if __name__ == "__main__":
    main()
