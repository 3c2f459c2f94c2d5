"""Scoring k completions of one problem: verdicts from the shared verifier, pass@1 and cons@k.

This is the one scoring path. lm-eval calls it through the task's `process_results` hook
(lm_eval_tasks/utils.py), the per-sample log is written from it, and `distill eval --rescore` calls it again
on saved completions, so a number in results.json always comes from the same code.

    pass@1 = (1/k) * sum_i correct_i                     (R1: mean over k sampled completions)
    cons@k = correct(majority answer over the k samples)  (R1: "cons@64", majority vote)

The majority vote is over extracted final answers. Samples with no final answer (no `</think>`,
no box, a hedge) do not vote; if none votes the problem counts as wrong. All correct samples vote
together (the verifier has judged each equal to the reference, so they are one answer however they
are written). Wrong samples vote together when they are equal after the verifier's own cheap
normalization (LaTeX surface forms, and exact numbers: `1/2`, `\\frac12`, `0.5`). Ties go to the
answer that appeared first. The vote costs O(k), with no pairwise math-verify calls: those made
cons@64 on expression answers take seconds per problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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


def vote_key(verdict: Any, domain: str) -> Any:
    """What a sample votes for: "correct" for every correct sample, else its canonical answer."""
    if verdict.correct:
        return ("correct",)
    text = verdict.extracted
    if domain == "math":
        from distill.verify.normalize import normalize, numeric_value

        normal = normalize(text)
        value = numeric_value(normal)
        return ("number", value[0]) if value is not None else ("text", normal)
    return ("text", "".join(text.split()))


def majority_vote(verdicts: Sequence[Any], domain: str) -> tuple[str | None, bool]:
    """(chosen answer, whether it is correct). Clusters keep first-seen order, so ties are stable."""
    clusters: dict[Any, list[Any]] = {}
    for verdict in verdicts:
        if verdict.extracted:
            clusters.setdefault(vote_key(verdict, domain), []).append(verdict)
    if not clusters:
        return None, False
    best = max(clusters.values(), key=len)  # max() keeps the first of equal sizes
    return best[0].extracted, bool(best[0].correct)


def score_problem(
    completions: Sequence[str], answer: str, domain: str, tests: Any = None, verdicts: Sequence[Any] | None = None
) -> ProblemScore:
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
