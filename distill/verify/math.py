"""The `math` verifier: is the boxed final answer equivalent to the reference answer?

Order of work, cheapest first:
1. extraction (`extract.py`): no </think>, no box, empty box, hedge -> wrong with that reason;
2. fast path (`normalize.py`): equal normalized strings or equal plain numbers -> correct;
   two different exact numbers (ints, fractions) -> wrong, without sympy;
3. guard (`guard.py`): answers too long or pathological for sympy -> wrong (`too_long`, `too_complex`);
4. math-verify (`parse` + `verify`, gold first) under one time limit per pair, enforced by a
   watchdog thread (`deadline.py`) that works in any thread. Past the limit -> `timeout`.
Results of steps 2-4 are cached per (answer, extracted) pair in an LRU cache, so repeated pairs
(many samples of one prompt) cost one dictionary lookup.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from distill.verify.deadline import DeadlineExceeded, call_with_deadline
from distill.verify.extract import extract, find_boxes
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
    return Verdict(*_judge(_unbox(answer), found.answer, float(timeout), int(max_answer_chars)))


def equivalent(answer: str, extracted: str, *, timeout: float = DEFAULT_TIMEOUT,
               max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS) -> tuple[bool, str]:
    """(correct, reason) for a reference answer and an already extracted answer."""
    correct, _, reason = _judge(_unbox(answer), extracted.strip(), float(timeout), int(max_answer_chars))
    return correct, reason


def _unbox(answer: str) -> str:
    """A reference stored boxed (`\\boxed{5}`, or a whole solution) compares by its last box."""
    if "\\boxed" in answer or "\\fbox" in answer:
        boxes = find_boxes(answer)
        if boxes:
            return boxes[-1]
    return answer


@lru_cache(maxsize=CACHE_SIZE)
def _judge(answer: str, extracted: str, timeout: float, max_chars: int) -> tuple[bool, str, str]:
    if not answer.strip():
        return False, extracted, "no_reference"
    if answer.strip() == extracted:
        return True, extracted, "correct"
    for text in (extracted, answer):
        if len(text) > max_chars:  # checked before any regex work: 1 MB boxes stay cheap
            return False, extracted, "too_long"
    gold, pred = normalize(answer), normalize(extracted)
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
    """'correct', 'wrong_answer' or 'timeout', from math-verify under one time limit for the pair.

    math-verify's own timeouts are switched off (they use signal.alarm: main thread only, whole
    seconds, one limit per step); our deadline bounds the whole parse + compare, in any thread,
    by the same mechanism everywhere, so a verdict does not depend on where it is computed.
    """
    from distill.errors import require

    math_verify = require("math_verify", "math", "the math verifier")
    _warm_up(math_verify)

    def compare() -> bool:
        gold = math_verify.parse(_as_boxed(answer), parsing_timeout=None)
        pred = math_verify.parse(_as_boxed(extracted), parsing_timeout=None)
        if not gold or not pred:
            return False
        return bool(math_verify.verify(gold, pred, timeout_seconds=None))

    try:
        return "correct" if call_with_deadline(compare, timeout) else "wrong_answer"
    except DeadlineExceeded:
        return "timeout"


_warm = threading.Lock()
_WARM_UP = [("(x+1)^2", "x^2+2x+1"), ("\\{1,2\\}", "\\{2,1\\}"), ("(0,1]\\cup(2,3)", "(2,3)\\cup(0,1]")]


def _warm_up(math_verify) -> None:
    """Once per process, outside any deadline: the first comparison pays for lazy set-up in
    sympy and the LaTeX parser (seconds on a loaded machine), which must not count as a timeout."""
    if getattr(math_verify, "_distill_warm", False):
        return
    with _warm:
        if getattr(math_verify, "_distill_warm", False):
            return
        # It warns once that its timeout is off; our deadline is the timeout.
        logging.getLogger("math_verify").setLevel(logging.ERROR)
        for name in ("parser", "grader"):
            module = getattr(math_verify, name, None)
            if hasattr(module, "TIMEOUT_WARNING_SHOWN"):
                module.TIMEOUT_WARNING_SHOWN = True
        for gold, pred in _WARM_UP:
            math_verify.verify(math_verify.parse(_as_boxed(gold), parsing_timeout=None),
                               math_verify.parse(_as_boxed(pred), parsing_timeout=None), timeout_seconds=None)
        math_verify._distill_warm = True


def _as_boxed(text: str) -> str:
    # Boxed, math-verify reads the whole answer as one LaTeX expression (its highest priority).
    return "\\boxed{" + text + "}"
