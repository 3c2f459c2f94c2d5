"""Conformance: distill's verdicts against other projects' verifier test suites, per suite.

    python benchmarks/bench_verify_conformance.py [--out docs/benchmarks/verify.md]

Runs distill.verify over the cases in benchmarks/verify_cases/ (derived from Math-Verify's,
hendrycks MATH's, Qwen2.5-Math's, lm-eval minerva_math's and lighteval's suites, turned into R1
completions) and reports agreement with each peer's verdict: inside distill's answer contract (a
box after </think>, or for choice an answer line or a bare letter line) and, separately, free text.
Every disagreement inside the contract is listed with its judgment from the case file. With
--out, the "Conformance" section of that Markdown file is replaced (the rest is kept).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_sections import replace_section  # noqa: E402
from verify_conformance import SUITES, distill_verdict, load_all  # noqa: E402

TARGET = 0.97
# The same cases scored by distill before the conformance work (main at 37681ad, 2026-12-01): run
# the cases with PYTHONPATH pointing at that checkout (classification into inside/free text by this one).
BEFORE = {"math_verify": "96.9%", "hendrycks": "87.9%", "qwen": "89.4%", "minerva": "97.0%", "lighteval": "61.4%", "all": "90.0%"}


def run() -> tuple[dict, list, float]:
    started = time.perf_counter()
    counts: dict = defaultdict(lambda: {"in": 0, "in_agree": 0, "free": 0, "free_agree": 0})
    disagreements = []
    for case in load_all():
        verdict = distill_verdict(case)
        agree = verdict.correct == case.peer
        kind = "in" if case.in_contract() else "free"
        counts[case.suite][kind] += 1
        counts[case.suite][kind + "_agree"] += agree
        if not agree and kind == "in":
            disagreements.append((case, verdict))
    return counts, disagreements, time.perf_counter() - started


def share(agree: int, total: int) -> str:
    return f"{100 * agree / total:.1f}%" if total else "–"


def report(counts: dict, disagreements: list, seconds: float) -> list[str]:
    total_in = sum(c["in"] for c in counts.values())
    agree_in = sum(c["in_agree"] for c in counts.values())
    total_free = sum(c["free"] for c in counts.values())
    agree_free = sum(c["free_agree"] for c in counts.values())
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {seconds:.1f} s for "
        f"{total_in + total_free} cases in one process. Command: `python benchmarks/bench_verify_conformance.py --out docs/benchmarks/verify.md`.",
        "",
        "The cases (benchmarks/verify_cases/, see its README) follow each peer suite's kinds of pairs with",
        "values of their own; each becomes an R1 completion (`<think>…</think>`, then the final text in one of",
        "four common shapes). Agreement = distill's correct/wrong equals the peer's verdict.",
        "",
        "| suite | inside the contract | agreement | before (37681ad) | free text | agreement |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for suite in SUITES:
        c = counts[suite]
        lines.append(f"| {suite} | {c['in']} | {share(c['in_agree'], c['in'])} | {BEFORE[suite]} | {c['free']} | "
                     f"{share(c['free_agree'], c['free'])} |")
    lines += [f"| **all** | {total_in} | **{share(agree_in, total_in)}** (target ≥ {TARGET:.0%}) | {BEFORE['all']} | "
              f"{total_free} | {share(agree_free, total_free)} |", ""]
    lines += ["Disagreements inside the contract, each judged:", "", "| case | reference | final text | peer | distill | judgment |",
              "|---|---|---|---|---|---|"]
    for case, verdict in disagreements:
        final = case.pred if case.pred is not None else case.final
        lines.append(f"| {case.name} | `{_cell(case.answer)}` | `{_cell(final)}` | {'correct' if case.peer else 'wrong'} | "
                     f"{verdict.reason} | {_cell(case.judgment, None) or '**not judged**'} |")
    lines += [
        "",
        "Free text (no box, no answer line) is outside the contract: distill gives `no_answer`, the peers",
        "read a number or letter out of prose. That is deliberate (see docs/verify.md, \"Free text\").",
        "",
    ]
    return lines


def _cell(text: str, limit: int | None = 120) -> str:
    return " ".join(text.replace("|", "\\|").split())[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="replace the Conformance section of this Markdown file")
    args = parser.parse_args()
    counts, disagreements, seconds = run()
    lines = report(counts, disagreements, seconds)
    print("\n".join(lines))
    if args.out:
        replace_section(Path(args.out), "Conformance", lines)
    total = sum(c["in"] for c in counts.values())
    agreed = sum(c["in_agree"] for c in counts.values())
    return 0 if total and agreed / total >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
