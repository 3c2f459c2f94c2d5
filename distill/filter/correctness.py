"""correctness: the final answer must verify against the reference (the shared verifier,
distill.verify, the same one GRPO rewards and eval scores use). `general` data has no reference
and passes unchecked. Runs last among record-level filters: it is the expensive one.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from distill.errors import DistillError
from distill.filter.config import CorrectnessConfig
from distill.filter.reject import Decision, Reject

REASON = "correctness"
BOX = "\\boxed{"
CACHE_SIZE = 200_000


def boxed_answers(text: str) -> tuple[str, ...] | None:
    """Contents of every \\boxed{…} (balanced braces) in `text`; None if one is unbalanced."""
    out = []
    start = text.find(BOX)
    while start != -1:
        depth, i = 1, start + len(BOX)
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth:
            return None
        out.append(text[start + len(BOX):i - 1])
        start = text.find(BOX, i)
    return tuple(out)


class CorrectnessFilter:
    def __init__(self, config: CorrectnessConfig):
        from distill.verify import verify  # the verifier layer is imported only when it is used

        self.verify = verify
        self.config = config
        self.cache: OrderedDict[tuple, Any] = OrderedDict()
        self.calls = 0

    def verdict(self, rec: dict[str, Any]):
        from distill.verify.verdict import Verdict

        key = None
        if self.config.cache and rec["domain"] == "math":
            boxes = boxed_answers(rec["completion"].rpartition("</think>")[2])
            if boxes:
                key = (rec["answer"], boxes)
                if key in self.cache:
                    self.cache.move_to_end(key)
                    return self.cache[key]
        self.calls += 1
        try:
            verdict = self.verify(rec["completion"], rec["answer"], rec["domain"], tests=rec.get("tests"))
        except DistillError as exc:  # unusable input (e.g. code without tests): not verifiable, not kept
            return Verdict(False, None, f"unverifiable ({exc})")
        if key is not None:
            self.cache[key] = verdict
            if len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        return verdict

    def __call__(self, rec: dict[str, Any]) -> Decision:
        if rec["domain"] == "general":
            return None
        verdict = self.verdict(rec)
        if verdict.correct:
            return None
        return Reject(REASON, f"{verdict.reason}: extracted {verdict.extracted!r}, reference {rec['answer'][:60]!r}")
