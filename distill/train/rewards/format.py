"""Format reward: `<think>reasoning</think>` then a non-empty final answer, 1.0 or 0.0.

R1-Zero's format reward only asked for the tags. Tags alone are easy to game, so the hacks a policy
finds first score zero here: empty reasoning or empty answer ("format without content"), the answer
left inside the think block, several think blocks, an empty `\\boxed{}`, and boxes that disagree
(hedging). Correctness is the accuracy reward's job; this one checks shape only.
"""

from __future__ import annotations

import re
from typing import Any

from distill.core.think import THINK_CLOSE, THINK_OPEN, split_think
from distill.train.rewards.text import column, full_text

_WORD = re.compile(r"\w")
_ANSWER_LINE = re.compile(r"(?im)^\s*\**answer\**\s*[:：]\s*\(?([A-Z])\)?\b")


def has_final_answer(answer_text: str, domain: str | None, reference: str | None = None) -> bool:
    """Whether the text after `</think>` carries an answer in the shape its domain asks for. Boxes are
    read by the shared extractor, so an empty last box or disagreeing boxes (a hedge) fail here as
    they fail the verifier; one box per part of a multi-part math reference is not a hedge there,
    so it is not one here either."""
    from distill.verify.extract import extract

    found = extract(THINK_CLOSE + answer_text)
    reason = found.reason
    if reason == "hedge" and domain == "math" and reference:
        from distill.verify.math import judge_extraction

        reason = "ok" if judge_extraction(found, str(reference)).reason != "hedge" else reason
    if reason in ("empty_box", "hedge"):
        return False
    if domain == "math":
        return reason == "ok"
    if domain == "choice":
        return reason == "ok" or bool(_ANSWER_LINE.search(answer_text))
    if domain == "code":  # the code verifier's own extractor: what passes here is what it runs
        from distill.core.code_blocks import last_code_block

        block = last_code_block(answer_text)
        return bool(block and block.strip())
    return bool(_WORD.search(answer_text))


def format_score(text: str, domain: str | None, reference: str | None = None) -> float:
    body = text.strip()
    if not body.startswith(THINK_OPEN):
        return 0.0
    if body.count(THINK_OPEN) != 1 or body.count(THINK_CLOSE) != 1:
        return 0.0
    reasoning, answer_text = split_think(body)
    if reasoning is None or not _WORD.search(reasoning) or not _WORD.search(answer_text or ""):
        return 0.0
    return 1.0 if has_final_answer(answer_text or "", domain, reference) else 0.0


def format_reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float]:
    domains = column(kwargs, "domain", len(completions))
    answers = column(kwargs, "answer", len(completions))
    return [format_score(full_text(p, c), d, a) for p, c, d, a in zip(prompts, completions, domains, answers)]
