"""Answer extraction and verdicts (math, choice, code). One layer serves the filter, the GRPO
rewards and the evaluation score, so a verdict is the same everywhere.

    from distill.verify import verify, verify_record, extract_final_answer
    verify(completion, "\\frac{1}{2}", "math")          # Verdict(correct=True, extracted='0.5', reason='correct')
    verify_record({"completion": ..., "answer": "B", "domain": "choice"})

Importing this package is light: sympy and math-verify load on the first math check that needs them.
"""

from __future__ import annotations

from typing import Any

from distill.errors import DistillError
from distill.verify.extract import extract_final_answer
from distill.verify.registry import get_verifier, option_names
from distill.verify.verdict import Verdict

__all__ = ["Verdict", "verify", "verify_record", "extract_final_answer", "get_verifier", "REASONS"]

# Every reason a built-in verifier can give, for reports and docs.
REASONS = (
    "correct",
    "wrong_answer",
    "no_think_close",
    "no_answer",
    "empty_box",
    "hedge",
    "too_long",
    "too_complex",
    "timeout",
    "no_reference",
    "invalid_choice",
    "no_code",
    "runtime_error",
    "memory",
    "output_limit",
    "sandbox_error",
)


def verify(completion: str, answer: str, domain: str, tests: list | None = None, **options: Any) -> Verdict:
    """The verdict for one completion. Raises DistillError for unusable input (not a verdict)."""
    if not isinstance(completion, str):
        raise DistillError(f"completion must be a string, got {type(completion).__name__}")
    if answer is None:
        answer = ""
    if not isinstance(answer, str):
        answer = str(answer)  # numeric answers in JSON (42) are read as their text
    verifier = get_verifier(domain)
    allowed = option_names(domain)
    unknown = sorted(set(options) - allowed) if allowed is not None else []
    if unknown:
        raise DistillError(
            f"verifier {domain!r} has no option {unknown[0]!r}; options: {', '.join(sorted(allowed or ())) or 'none'}"
        )
    return verifier(completion, answer, tests, **options)


def verify_record(record: dict, **options: Any) -> Verdict:
    """verify() on a trace record: reads `completion`, `answer`, `domain` and (code) `tests`."""
    if not isinstance(record, dict):
        raise DistillError(f"record must be an object, got {type(record).__name__}")
    missing = [key for key in ("completion", "domain") if record.get(key) is None]
    if record.get("domain") in ("math", "choice") and record.get("answer") in (None, ""):
        missing.append("answer")
    if record.get("domain") == "code" and not record.get("tests"):
        missing.append("tests")
    if missing:
        raise DistillError(f"record is missing {', '.join(missing)}")
    return verify(record["completion"], record.get("answer") or "", record["domain"], record.get("tests"), **options)
