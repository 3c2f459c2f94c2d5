"""A time limit for pure-Python work that works in any thread, the same way everywhere.

math-verify's own timeout uses `signal.alarm`: main thread only, whole seconds, one limit per
step. We switch it off and bound the whole parse + compare of a pair ourselves with a watchdog
thread: when the time is up it raises `DeadlineExceeded` inside the working thread
(`PyThreadState_SetAsyncExc`), and raises it again every 50 ms until the call has ended, because
sympy sometimes swallows an exception (in a generator's clean-up, or a bare `except:`). A lock
that the call takes for good when it ends guarantees that no raise lands after it returns. This works
in the main thread and in any other, touches no signals (a caller's SIGALRM or interval timer is
left alone) and costs one short-lived thread per call, nothing while the work runs.

It cannot interrupt one long C call (a huge integer power): the exception arrives only between
Python bytecodes. That is why `guard.refuse` rejects such inputs before any parsing.

`DeadlineExceeded` derives from BaseException so the broad `except Exception` blocks inside
math-verify and sympy do not swallow it.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_RESEND_EVERY = 0.05  # seconds between repeated raises once the deadline has passed


class DeadlineExceeded(BaseException):
    pass


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    # exc=None clears an exception that was sent but not raised yet.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


def call_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """Run `fn()` in this thread; raise DeadlineExceeded if it runs past `seconds`."""
    target = threading.get_ident()
    gate = threading.RLock()  # the watchdog sends only while it can take this; we take it to end
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        while gate.acquire(blocking=False):
            try:
                _raise_in(target, DeadlineExceeded)
            finally:
                gate.release()
            if done.wait(_RESEND_EVERY):
                return

    try:
        threading.Thread(target=watch, name="distill-deadline", daemon=True).start()
        return fn()
    finally:
        # Take the gate for good (no more raises), then drop one sent just before. A raise can
        # still land in this loop, never after it: the RLock makes a second acquire harmless.
        while True:
            try:
                gate.acquire()
                _raise_in(target, None)
                break
            except DeadlineExceeded:
                continue
        done.set()
