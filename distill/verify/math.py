"""The `math` verifier: is the boxed final answer equivalent to the reference answer?

Order of work, cheapest first:
1. extraction (`extract.py`): no </think>, no box, empty box, hedge -> wrong with that reason;
2. fast path (`normalize.py`): equal normalized strings or equal plain numbers -> correct;
   two different exact numbers (ints, fractions) -> wrong, without sympy;
3. guard (`guard.py`): answers too long or pathological for sympy -> wrong (`too_long`, `too_complex`);
4. math-verify (`parse` + `verify`, gold first), under a time limit: math-verify's own signal
   timeout in the main thread, a profile-hook deadline in other threads (`deadline.py`).
   Running past the limit -> wrong (`timeout`).
Results of steps 2-4 are cached per (answer, extracted) pair in an LRU cache, so repeated pairs
(many samples of one prompt) cost one dictionary lookup.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from distill.verify.deadline import DeadlineExceeded, call_with_deadline, in_main_thread
from distill.verify.extract import extract
from distill.verify.guard import refuse
from distill.verify.normalize import normalize, numeric_value
from distill.verify.verdict import Verdict

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_ANSWER_CHARS = 1000
CACHE_SIZE = 65536


def verify_math(
    completion: str,
    answer: str,
    tests: list | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS,
) -> Verdict:
    found = extract(completion)
    if found.reason != "ok":
        return Verdict(False, found.answer, found.reason)
    return Verdict(*_judge(answer, found.answer, float(timeout), int(max_answer_chars)))


def equivalent(answer: str, extracted: str, *, timeout: float = DEFAULT_TIMEOUT,
               max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS) -> tuple[bool, str]:
    """(correct, reason) for a reference answer and an already extracted answer."""
    correct, _, reason = _judge(answer, extracted, float(timeout), int(max_answer_chars))
    return correct, reason


@lru_cache(maxsize=CACHE_SIZE)
def _judge(answer: str, extracted: str, timeout: float, max_chars: int) -> tuple[bool, str, str]:
    gold, pred = normalize(answer), normalize(extracted)
    if not gold:
        return False, extracted, "no_reference"
    if gold == pred:
        return True, extracted, "correct"
    gold_value, pred_value = numeric_value(gold), numeric_value(pred)
    if gold_value and pred_value:
        if gold_value[0] == pred_value[0]:
            return True, extracted, "correct"
        if gold_value[1] and pred_value[1]:
            return False, extracted, "wrong_answer"  # two exact numbers: no rounding can make them equal
    for text in (extracted, answer):
        refused = refuse(text, max_chars)
        if refused:
            return False, extracted, refused
    outcome = _math_verify(answer, extracted, timeout)
    return outcome == "correct", extracted, outcome


def _math_verify(answer: str, extracted: str, timeout: float) -> str:
    """'correct', 'wrong_answer' or 'timeout', from math-verify under a time limit."""
    from distill.errors import require

    math_verify = require("math_verify", "math", "the math verifier")
    logging.getLogger("math_verify").setLevel(logging.ERROR)  # its timeout warnings are ours to report
    main = in_main_thread()
    # math-verify's signal alarm takes whole seconds and only works in the main thread.
    limit = max(1, round(timeout)) if main else None

    def compare() -> bool:
        gold = math_verify.parse(_as_boxed(answer), parsing_timeout=limit)
        pred = math_verify.parse(_as_boxed(extracted), parsing_timeout=limit)
        if not gold or not pred:
            return False
        return bool(math_verify.verify(gold, pred, timeout_seconds=limit))

    started = time.monotonic()
    try:
        same = compare() if main else call_with_deadline(compare, timeout)
    except DeadlineExceeded:
        return "timeout"
    if same:
        return "correct"
    # math-verify turns its own timeouts into "not equal"; the clock tells them apart.
    return "timeout" if time.monotonic() - started >= timeout else "wrong_answer"


def _as_boxed(text: str) -> str:
    # Boxed, math-verify reads the whole answer as one LaTeX expression (its highest priority).
    return "\\boxed{" + text + "}"
