"""Scoring k completions of one problem: verdicts from the shared verifier, pass@1 and cons@k.

This is the one scoring path. lm-eval calls it through the task's `process_results` hook
(eval/utils.py), the per-sample log is written from it, and `distill eval --rescore` calls it again
on saved completions, so a number in results.json always comes from the same code.

    pass@1 = (1/k) * sum_i correct_i                     (R1: mean over k sampled completions)
    cons@k = correct(majority answer over the k samples)  (R1: "cons@64", majority vote)

The majority vote is over extracted final answers. Samples with no final answer (no `</think>`,
no box, a hedge) do not vote; if none votes the problem counts as wrong. Answers vote together when
they are the same string once whitespace is removed, or, for math, when the verifier finds them
equivalent (`\\frac{1}{2}` and `0.5`). Ties go to the answer that appeared first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class ProblemScore:
    verdicts: list[Any]  # one distill.verify Verdict per completion
    pass_at_1: float
    cons_at_k: float
    majority: str | None  # the answer the vote chose


def _verify():
    try:
        from distill.verify import verify
    except ImportError as exc:  # the verifier package is a sibling module; say so plainly
        from distill.errors import DistillError

        raise DistillError(f"distill.verify is not available ({exc}); evaluation needs the shared verifier") from None
    return verify


def verdicts_for(completions: Sequence[str], answer: str, domain: str, tests: Any = None) -> list[Any]:
    verify = _verify()
    return [verify(text or "", answer, domain, tests=tests) for text in completions]


def _key(answer: str) -> str:
    return "".join(answer.split())


def _same(a: str, b: str, domain: str) -> bool:
    if _key(a) == _key(b):
        return True
    if domain != "math":
        return False
    # Equivalence through the verifier itself: is `a` right if `b` were the reference?
    return bool(_verify()(f"</think>\n\\boxed{{{a}}}", b, domain).correct)


def majority_vote(verdicts: Sequence[Any], domain: str) -> tuple[str | None, bool]:
    """(chosen answer, whether it is correct). Clusters keep first-seen order, so ties are stable."""
    clusters: list[list[Any]] = []
    for verdict in verdicts:
        if not verdict.extracted:
            continue
        for cluster in clusters:
            if _same(verdict.extracted, cluster[0].extracted, domain):
                cluster.append(verdict)
                break
        else:
            clusters.append([verdict])
    if not clusters:
        return None, False
    best = max(clusters, key=len)  # max() keeps the first of equal sizes
    return best[0].extracted, bool(best[0].correct)


def score_problem(completions: Sequence[str], answer: str, domain: str, tests: Any = None,
                  verdicts: Sequence[Any] | None = None) -> ProblemScore:
    verdicts = list(verdicts) if verdicts is not None else verdicts_for(completions, answer, domain, tests)
    if not verdicts:
        return ProblemScore([], 0.0, 0.0, None)
    majority, cons = majority_vote(verdicts, domain)
    pass1 = sum(1 for v in verdicts if v.correct) / len(verdicts)
    return ProblemScore(verdicts, pass1, float(cons), majority)


def process_results(doc: dict[str, Any], results: list[Any]) -> dict[str, float]:
    """lm-eval's per-document hook. `results` holds one entry per request; our tasks make one
    request per document whose filtered response is the list of all k completions."""
    completions = results[0] if results and isinstance(results[0], (list, tuple)) else list(results)
    score = score_problem(completions, str(doc["answer"]), str(doc.get("domain") or "math"), doc.get("tests"))
    return {"pass@1": score.pass_at_1, "cons@k": score.cons_at_k}
