"""Worker processes that die with their parent, so no one runs untrusted rows for a dead run.

A pool worker whose parent is SIGKILLed is not told: it goes on taking the tasks still buffered in
its queue and runs them in the sandbox for minutes. `die_with_parent` (a pool initializer) asks the
kernel to SIGKILL the worker the moment its parent dies (PR_SET_PDEATHSIG); its sandboxes follow,
since bwrap runs with --die-with-parent. The parent may already be gone when the worker starts:
then the worker exits at once.
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a worker started by `parent_pid` (Linux; elsewhere nothing happens)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: no such call, nothing to arm
        return
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
