"""The conformance cases (benchmarks/verify_cases/*.yaml) as R1 completions, and distill's verdicts on them.

Shared by benchmarks/bench_verify_conformance.py (the report) and the tests that keep the verdicts
from regressing (tests/verify/test_verify_conformance.py) or from differing between the filter, the
GRPO reward and the eval (tests/verify/test_verify_one_verdict.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

CASES_DIR = Path(__file__).resolve().parent / "verify_cases"
SUITES = ("math_verify", "hendrycks", "qwen", "minerva", "lighteval")
THINK = "Let me work through this carefully before answering."
# Final texts in the shapes R1-style models write them; the case index picks one.
TEMPLATES = (
    "The answer is $\\boxed{{{pred}}}$.",
    "Therefore, the final answer is: $\\boxed{{{pred}}}$",
    "**Final Answer**\n\\[\n\\boxed{{{pred}}}\n\\]",
    "So we get\n\n$$\\boxed{{{pred}}}$$",
)


@dataclass
class Case:
    suite: str
    index: int
    domain: str
    answer: str
    completion: str
    final: str
    peer: bool
    note: str = ""
    judgment: str = ""
    pred: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.suite}:{self.index + 1}"

    def in_contract(self) -> bool:
        """A box after </think> (math); a box, an answer line or a bare letter line (choice)."""
        from distill.verify.choice import answer_texts
        from distill.verify.extract import find_boxes

        if find_boxes(self.final):
            return True
        return self.domain == "choice" and bool(answer_texts(self.final))


def load(suite: str) -> list[Case]:
    rows = yaml.safe_load((CASES_DIR / f"{suite}.yaml").read_text(encoding="utf-8"))
    cases = []
    for index, row in enumerate(rows):
        pred = row.get("pred")
        final = row.get("final") if pred is None else TEMPLATES[index % len(TEMPLATES)].format(pred=pred)
        if final is None:
            raise ValueError(f"{suite}.yaml case {index + 1}: needs `pred` or `final`")
        think = row.get("think") or THINK
        cases.append(Case(suite, index, row.get("domain", "math"), str(row["answer"]),
                          f"<think>\n{think}\n</think>\n\n{final}", final, bool(row["peer"]),
                          row.get("note", ""), row.get("judgment", ""), pred))
    return cases


def load_all() -> list[Case]:
    return [case for suite in SUITES for case in load(suite)]


def distill_verdict(case: Case):
    from distill.verify import verify

    return verify(case.completion, case.answer, case.domain)
