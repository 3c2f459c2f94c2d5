"""The math verifier: fast path, math-verify equivalence, hedges, pathological inputs, threads, MATH-500."""

import json
import threading
import time

import pytest

from distill.verify import verify
from distill.verify.guard import refuse


def boxed(answer: str) -> str:
    return "<think>Let me think. Maybe \\boxed{999}.</think>\n\nThe answer is $\\boxed{" + answer + "}$."


EQUIVALENT = [
    # fractions and decimals
    ("\\frac{1}{2}", "0.5"), ("\\frac12", "1/2"), ("\\dfrac{1}{2}", "\\tfrac{1}{2}"), ("0.5", "\\frac{2}{4}"),
    ("3.14", "3.140"), ("-\\frac{3}{4}", "-0.75"), ("\\frac{14}{3}", "4\\frac{2}{3}"), ("1/3", "0.3333333"),
    ("1{,}000", "1000"), ("10,\\!000", "10000"), ("20\\%", "20"), ("\\$32", "32"),
    # intervals, sets, tuples
    ("(1, 2]", "\\left(1,2\\right]"), ("[0, \\infty)", "[0,\\infty)"),
    ("(-\\infty, 3) \\cup (5, \\infty)", "(5,\\infty)\\cup(-\\infty,3)"),
    ("\\{1, 2, 3\\}", "\\{3, 2, 1\\}"), ("\\left( 3, \\frac{\\pi}{2} \\right)", "(3, \\frac{\\pi}{2})"),
    # expressions, radicals, units, degrees, text
    ("x^2 + 2x + 1", "(x+1)^2"), ("p - q", "-q + p"), ("10\\sqrt{2}", "\\sqrt{200}"), ("10\\sqrt{2}", "10 \\sqrt 2"),
    ("\\frac{\\sqrt{2}}{2}", "\\sqrt{2}/2"), ("\\text{(C)}", "(C)"), ("30^\\circ", "30"), ("5 \\text{ cm}", "5"),
    ("x = 5", "5"), ("2^{100}", "1267650600228229401496703205376"),
    ("1000", "\\$1,\\!000"), ("\\$1000", "\\$1{,}000.00"), ("\\text{(C)}", "\\mathrm{(C)}"), ("[2,5)", "x \\in [2, 5)"),
    ("\\{-1,2\\}", "-1, 2"), ("\\frac{\\sqrt3}2", "\\frac{\\sqrt{3}}{2}"),
]

DIFFERENT = [
    ("2", "3"), ("\\frac{3}{4}", "\\frac{4}{3}"), ("1/3", "0.33"), ("(1, 2)", "(2, 1)"), ("(1, 2)", "[1, 2]"),
    ("x + 1", "x + 2"), ("\\pi", "3.14"), ("10\\sqrt{2}", "10"),
    # a hedge inside one box is not the answer
    ("3", "3 \\text{ or } 4"), ("3", "3, 4"), ("3", "x=3 \\text{ or } x=4"), ("3", "\\pm 3"),
]


@pytest.mark.parametrize("gold, pred", EQUIVALENT)
def test_equivalent_answers_are_correct(gold, pred):
    verdict = verify(boxed(pred), gold, "math")
    assert (verdict.correct, verdict.reason) == (True, "correct")
    assert verdict.extracted == pred.strip()


@pytest.mark.parametrize("gold, pred", DIFFERENT)
def test_different_answers_are_wrong(gold, pred):
    assert verify(boxed(pred), gold, "math").reason == "wrong_answer"


@pytest.mark.parametrize(
    "completion, reason",
    [
        ("The answer is \\boxed{5}", "no_think_close"),
        ("<think>\\boxed{5}</think> I cannot decide.", "no_answer"),
        ("<think></think> \\boxed{}", "empty_box"),
        ("<think></think> It is \\boxed{5} or \\boxed{6}.", "hedge"),
        ("<think></think> It is \\boxed{6} or \\boxed{5}.", "hedge"),  # a hedge even when the last box is right
    ],
)
def test_extraction_failures_are_wrong_with_their_reason(completion, reason):
    verdict = verify(completion, "5", "math")
    assert (verdict.correct, verdict.reason) == (False, reason)


def test_boxed_reference_compares_by_its_box():
    assert verify(boxed("5"), "\\boxed{5}", "math").correct
    assert verify(boxed("5"), "so the solution is $\\boxed{5}$.", "math").correct


def test_equivalent_compares_two_answers_without_a_completion():
    from distill.verify.math import equivalent

    assert equivalent("\\frac{1}{2}", " 0.5 ") == (True, "correct")
    assert equivalent("x^2-1", "(x-1)(x+1)") == (True, "correct")
    assert equivalent("2", "3") == (False, "wrong_answer")


def test_empty_reference_is_not_a_pass():
    assert verify(boxed("5"), "", "math").reason == "no_reference"


@pytest.mark.parametrize(
    "pred, reason",
    [
        ("9^{9^{9}}", "too_complex"),
        ("10^{10^{10}}", "too_complex"),
        ("2^{123456789}", "too_complex"),
        ("(10^{9999})^{9999}", "too_complex"),
        ("10^{9999}!", "too_complex"),
        ("(10^6)!", "too_complex"),
        ("100000!", "too_complex"),
        ("{" * 300 + "5" + "}" * 300, "too_complex"),
        ("1" * 5000, "too_long"),
        ("x" * 1_000_000, "too_long"),
    ],
)
def test_pathological_answers_end_in_a_verdict_quickly(pred, reason):
    started = time.monotonic()
    verdict = verify(boxed(pred), "5", "math")
    assert (verdict.correct, verdict.reason) == (False, reason)
    assert time.monotonic() - started < 5.0  # refused before sympy: milliseconds, with room for a busy machine


def test_guard_lets_ordinary_answers_through():
    for answer in ["2^{100}", "x^{2}+y^{2}", "(n+1)!", "5!", "e^{i\\pi}", "\\frac{1}{2}", "(2^3)^2", "x^{10}y^{10}z^{10}"]:
        assert refuse(answer, 1000) is None, answer


# (x+y+z+1)^20 against a wrong expansion: sympy needs ~10 s, so a 0.5 s limit must cut it off.
SLOW = ("(x+y+z+1)^{20}", "x^{20}+1")


def test_slow_comparison_times_out_in_the_main_thread():
    started = time.monotonic()
    verdict = verify(boxed(SLOW[1]), SLOW[0], "math", timeout=0.5)
    assert (verdict.correct, verdict.reason) == (False, "timeout")
    assert time.monotonic() - started < 3.0


def test_slow_comparison_times_out_in_a_worker_thread():
    # A different pair than above so the LRU cache cannot answer for it.
    out = {}

    def work():
        started = time.monotonic()
        out["verdict"] = verify(boxed("x^{20}+2"), "(x+y+z+2)^{20}", "math", timeout=0.5)
        out["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert out["verdict"].reason == "timeout" and out["seconds"] < 3.0


def test_threads_get_the_same_verdicts_as_the_main_thread():
    from distill.verify.math import _judge

    pairs = [("x^2 + 2x + 1", "(x+1)^2"), ("p - q", "-q+p"), ("\\{1,2\\}", "\\{2,1\\}"), ("x+1", "x+3")]
    expected = [verify(boxed(p), g, "math") for g, p in pairs]
    _judge.cache_clear()  # make the threads do the sympy work themselves
    results = [None] * len(pairs)

    def work(i):
        results[i] = verify(boxed(pairs[i][1]), pairs[i][0], "math")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(pairs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == expected


def test_repeated_pairs_hit_the_cache():
    from distill.verify.math import _judge

    verify(boxed("(x+1)(x-1)"), "x^2-1", "math")
    hits = _judge.cache_info().hits
    verify(boxed("(x+1)(x-1)"), "x^2-1", "math")
    assert _judge.cache_info().hits == hits + 1


def test_importing_distill_verify_does_not_import_sympy():
    import subprocess
    import sys

    code = "import sys, distill.verify; print('sympy' in sys.modules, 'math_verify' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_math500_gold_answers_verify_against_themselves(shared_benchmarks_dir):
    rows = [json.loads(line) for line in open(shared_benchmarks_dir / "math500.jsonl", encoding="utf-8")]
    assert len(rows) == 500
    failed = []
    for row in rows:
        gold = row["answer"]
        verdict = verify(f"<think>Let me work it out.</think>\n\nThe answer is \\boxed{{{gold}}}.", gold, "math")
        if not verdict.correct:
            failed.append((gold, verdict.reason))
    assert not failed


@pytest.mark.parametrize("name", ["aime24.jsonl", "aime25.jsonl"])
def test_aime_answers_verify_and_neighbours_do_not(shared_benchmarks_dir, name):
    golds = [json.loads(line)["answer"] for line in open(shared_benchmarks_dir / name, encoding="utf-8")]
    for i, gold in enumerate(golds):
        assert verify(boxed(gold), gold, "math").correct
        other = golds[(i + 1) % len(golds)]
        assert verify(boxed(other), gold, "math").correct == (other == gold)


def test_math500_style_golds_match_common_rewrites():
    # The shapes MATH-500 uses, written the way models often write them instead.
    for gold, pred in [
        ("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"),
        ("p - q", "p-q"),
        ("\\text{(C)}", "C"),
        ("10\\sqrt{2}", "10\\sqrt2"),
        ("[-2,7]", "[-2, 7]"),
        ("\\frac{14}{3}", "14/3"),
    ]:
        assert verify(boxed(pred), gold, "math").correct, (gold, pred)


def test_a_callers_own_alarm_timer_is_left_alone():
    import signal

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 60)
    try:
        started = time.monotonic()
        verdict = verify(boxed("x^{20}+3"), "(x+y+z+3)^{20}", "math", timeout=0.5)
        assert verdict.reason == "timeout" and time.monotonic() - started < 3.0
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 50 < left <= 60 and signal.getsignal(signal.SIGALRM) is not previous
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


def test_deadline_survives_code_that_swallows_the_first_raise():
    from distill.verify.deadline import DeadlineExceeded, call_with_deadline

    swallowed = []

    def stubborn():
        try:
            while True:
                pass
        except BaseException:  # like a bare `except:` deep in a library
            swallowed.append(True)
        while True:
            pass

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        call_with_deadline(stubborn, 0.2)
    assert swallowed and time.monotonic() - started < 3.0


def test_no_late_raise_escapes_after_the_call():
    from distill.verify.deadline import DeadlineExceeded, call_with_deadline

    def busy(seconds):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass
        return True

    outcomes = set()
    # Calls that end before, at and well after their deadline. "Well after" is 5x the deadline: the
    # watchdog needs the GIL to raise, and Python hands it over only every switch interval (5 ms).
    for i in range(120):
        try:
            outcomes.add(call_with_deadline(lambda: busy(0.01 * (0, 1, 5)[i % 3]), 0.01))
        except DeadlineExceeded:
            outcomes.add("timeout")
    assert outcomes == {True, "timeout"}
    total = 0
    for i in range(2_000_000):  # a raise arriving late would land here
        total += i
    assert total == sum(range(2_000_000))
