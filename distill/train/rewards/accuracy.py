"""Accuracy reward: the shared verifier's verdict, 1.0 when correct, else 0.0.

The filter keeps a trace and the eval scores an answer with the same `distill.verify.verify`, so
a completion GRPO rewards is one the filter would keep. The verifier already refuses the answer
hacks (no `</think>`, answer only inside the think block, empty box, disagreeing boxes).
Rows the verifier cannot judge (no reference answer, no tests for code: reason `no_reference`) are
unscorable: None, which TRL leaves out of the mean instead of counting as wrong.
"""

from __future__ import annotations

import json
from typing import Any

from distill.train.rewards.text import column, full_text


def _tests(value: Any) -> list | None:
    """Tests may arrive as a list or as a JSON string (a column kept as text in the dataset)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return json.loads(value)
    return list(value)


def accuracy_reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
    from distill.verify import verify

    n = len(completions)
    answers = column(kwargs, "answer", n, "")
    domains = column(kwargs, "domain", n, "math")
    tests = column(kwargs, "tests", n)
    scores: list[float | None] = []
    for prompt, completion, answer, domain, test in zip(prompts, completions, answers, domains, tests):
        verdict = verify(full_text(prompt, completion), answer or "", domain or "math", tests=_tests(test))
        scores.append(None if verdict.reason == "no_reference" else 1.0 if verdict.correct else 0.0)
    return scores
