"""A time limit for pure-Python work that works in any thread, not only the main one.

math-verify's own timeout uses `signal.alarm`: main thread only, whole seconds, one limit per
step. We switch it off and bound the whole parse + compare of a pair ourselves, the same limit
wherever the check runs:
- in the main thread with no interval timer in use (the usual case: filter workers, training
  loop, lm-eval), a SIGALRM interval timer, which costs nothing while the work runs;
- elsewhere (other threads, or a caller that already uses SIGALRM, e.g. pytest-timeout), a
  profile hook on the current thread that checks the clock every few hundred Python calls
  (sympy runs 2-3x slower under it).
Either way the work ends with `DeadlineExceeded`. Neither can interrupt one long C call (a huge
integer power), which is why `guard.refuse` rejects those inputs before any parsing.

`DeadlineExceeded` derives from BaseException so the broad `except Exception` blocks inside
math-verify and sympy do not swallow it and carry on without a limit.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")
_CHECK_EVERY = 256  # profile events between clock reads; keeps the hook cheap


class DeadlineExceeded(BaseException):
    pass


def in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def call_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """Run `fn()` in this thread; raise DeadlineExceeded if it runs past `seconds`."""
    if in_main_thread() and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0):
        return _with_timer(fn, seconds)
    return _with_profile_hook(fn, seconds)


def _with_timer(fn: Callable[[], T], seconds: float) -> T:
    def expire(signum, frame):
        raise DeadlineExceeded(f"ran past {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _with_profile_hook(fn: Callable[[], T], seconds: float) -> T:
    deadline = time.monotonic() + seconds
    count = 0

    def hook(frame, event, arg):
        nonlocal count
        count += 1
        if count % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            sys.setprofile(None)
            raise DeadlineExceeded(f"ran past {seconds:g} s")

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        return fn()
    finally:
        sys.setprofile(previous)
