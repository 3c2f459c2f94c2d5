"""correctness: the final answer must verify against the reference (the shared verifier,
distill.verify, the same one GRPO rewards and eval scores use). `general` data has no reference
and passes unchecked. Runs last among record-level filters: it is the expensive one.

Math verdicts are cached by `distill.verify.math.cache_key`: the reference plus the extraction's
outcome (its reason and the final answer, or every box for a hedge). That is all a math verdict
depends on, so a cached verdict is the one the verifier would give: the presence of `</think>`,
the box form (`\\fbox`, a bare `\\boxed 6`) and hedges are in the extraction, and the verdict does
not depend on which rows came before (DESIGN.md: one verdict per input).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from distill.errors import DistillError
from distill.filter.config import CorrectnessConfig
from distill.filter.reject import Decision, Reject

REASON = "correctness"
CACHE_SIZE = 200_000


class CorrectnessFilter:
    def __init__(self, config: CorrectnessConfig):
        from distill.verify import verify  # the verifier layer is imported only when it is used

        self.verify = verify
        self.config = config
        self.cache: OrderedDict[tuple, Any] = OrderedDict()
        self.calls = 0

    def verdict(self, rec: dict[str, Any]):
        from distill.verify.verdict import Verdict

        if self.config.cache and rec["domain"] == "math" and isinstance(rec["completion"], str):
            return self._math_verdict(rec)
        self.calls += 1
        try:
            return self.verify(rec["completion"], rec["answer"], rec["domain"], tests=rec.get("tests"))
        except DistillError as exc:  # unusable input (e.g. code without tests): not verifiable, not kept
            return Verdict(False, None, f"unverifiable ({exc})")

    def _math_verdict(self, rec: dict[str, Any]):
        from distill.verify.extract import extract
        from distill.verify.math import cache_key, judge_extraction

        answer = rec["answer"]
        answer = "" if answer is None else answer if isinstance(answer, str) else str(answer)  # as verify() reads it
        found = extract(rec["completion"])
        key = cache_key(found, answer)
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        self.calls += 1
        verdict = judge_extraction(found, answer)
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
