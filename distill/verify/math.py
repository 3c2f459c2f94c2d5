"""The `math` verifier: is the boxed final answer equivalent to the reference answer?

Order of work, cheapest first:
1. extraction (`extract.py`): no </think>, no box, empty box, hedge -> wrong with that reason;
   one box per part of a set/list reference is not a hedge when the boxes are exactly its parts
   (`parts.py`); a reference with several boxes is read as a list of them, never by its last alone;
2. rewrites (`rewrite.py`) of ambiguous forms on both sides: thousands separators, radicals
   without braces;
3. fast path (`normalize.py`): equal normalized strings or equal exact values -> correct;
   values no reading can make equal (two different exact numbers; decimals or percentages too far
   apart for math-verify's rounding; tuples, intervals, sets of one shape; words whose letters
   differ) -> wrong, without sympy;
4. guard (`guard.py`): answers too long or pathological for sympy -> wrong (`too_long`, `too_complex`);
5. math-verify (`parse` + `verify`, gold first) under one time limit per pair, enforced by a
   watchdog thread (`deadline.py`) that works in any thread. Past the limit -> `timeout`.
Results of steps 2-5 are cached per (answer, extracted) pair in an LRU cache, so repeated pairs
(many samples of one prompt) cost one dictionary lookup. A verdict depends on the reference and
the extraction only; `cache_key` is that dependency, for callers that cache verdicts themselves.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from distill.verify.deadline import DeadlineExceeded, call_with_deadline
from distill.verify.extract import Extraction, extract
from distill.verify.guard import refuse
from distill.verify.normalize import bracketed_value, different_words, normalize, numeric_value, surely_different
from distill.verify.parts import boxes_are_the_parts, distinct, reference_parts
from distill.verify.rewrite import has_list_comma, rewrite
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
    return judge_extraction(extract(completion), answer, timeout=timeout, max_answer_chars=max_answer_chars)


def judge_extraction(
    found: Extraction,
    answer: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS,
) -> Verdict:
    """The verdict from an extraction and the reference: all a math verdict depends on."""
    reference, parts = reference_parts(answer)
    timeout, max_chars = float(timeout), int(max_answer_chars)
    if found.reason == "hedge" and parts:
        boxes = distinct(found.boxes)
        if boxes_are_the_parts(parts, boxes, lambda gold, pred: _judge(gold, pred, timeout, max_chars)[0]):
            return Verdict(True, ", ".join(boxes), "correct")
    if found.reason != "ok":
        return Verdict(False, found.answer, found.reason)
    return Verdict(*_judge(reference, found.answer, timeout, max_chars))


def cache_key(found: Extraction, answer: str) -> tuple:
    """Everything `judge_extraction` reads (besides options): equal keys give equal verdicts."""
    if found.reason == "hedge":
        return (answer, found.reason, found.boxes)
    return (answer, found.reason, found.answer)


def equivalent(
    answer: str, extracted: str, *, timeout: float = DEFAULT_TIMEOUT, max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS
) -> tuple[bool, str]:
    """(correct, reason) for a reference answer and an already extracted answer."""
    correct, _, reason = _judge(reference_parts(answer)[0], extracted.strip(), float(timeout), int(max_answer_chars))
    return correct, reason


@lru_cache(maxsize=CACHE_SIZE)
def _judge(answer: str, extracted: str, timeout: float, max_chars: int) -> tuple[bool, str, str]:
    if not answer.strip():
        return False, extracted, "no_reference"
    if answer.strip() == extracted:
        return True, extracted, "correct"
    for text in (extracted, answer):
        if len(text) > max_chars:  # checked before any regex work: 1 MB boxes stay cheap
            return False, extracted, "too_long"
    answer, shown, extracted = rewrite(answer), extracted, rewrite(extracted)
    gold, pred = normalize(answer), normalize(extracted)
    if gold == pred:
        return True, shown, "correct"
    # `3, 125` is a pair, not 3125: a comma left after the rewrites is a list comma, so only a
    # bracketed form (tuple, interval, set) is read by value then, never a bare list as one number
    listed = has_list_comma(answer) or has_list_comma(extracted)
    value = bracketed_value if listed else numeric_value
    gold_value, pred_value = value(gold, polynomials=True), value(pred, polynomials=True)
    if gold_value and pred_value:
        if gold_value[0] == pred_value[0]:
            return True, shown, "correct"
        if surely_different(gold_value, pred_value, "%" in answer, "%" in extracted, same_shape=listed):
            return False, shown, "wrong_answer"
    elif different_words(gold, pred):
        return False, shown, "wrong_answer"
    for text in (extracted, answer):
        refused = refuse(text, max_chars)
        if refused:
            return False, shown, refused
    outcome = _math_verify(answer, extracted, timeout)
    return outcome == "correct", shown, outcome


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
            if module is not None and hasattr(module, "TIMEOUT_WARNING_SHOWN"):
                module.TIMEOUT_WARNING_SHOWN = True
        for gold, pred in _WARM_UP:
            math_verify.verify(
                math_verify.parse(_as_boxed(gold), parsing_timeout=None),
                math_verify.parse(_as_boxed(pred), parsing_timeout=None),
                timeout_seconds=None,
            )
        math_verify._distill_warm = True


def _as_boxed(text: str) -> str:
    # Boxed, math-verify reads the whole answer as one LaTeX expression (its highest priority).
    return "\\boxed{" + text + "}"
