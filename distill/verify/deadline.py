"""A time limit for pure-Python work that works in any thread, not only the main one.

math-verify's own timeout uses `signal.alarm`, which only works in the main thread. GRPO reward
functions or eval hooks may run in threads, so elsewhere we install a profile hook on the current
thread that raises `DeadlineExceeded` once the time is up. The hook fires on every Python call and
return, which is where sympy spends its time; it cannot interrupt one long C call (a huge integer
power), which is why `guard.refuse` rejects those inputs before any parsing.

`DeadlineExceeded` derives from BaseException so the broad `except Exception` blocks inside
math-verify and sympy do not swallow it and carry on without a limit.
"""

from __future__ import annotations

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
