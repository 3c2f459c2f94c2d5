"""No orphans: a process distill starts for a stage (a `distill run` stage, a filter or verify
worker) dies with the process that started it, even when that one is killed with SIGKILL and runs
no cleanup. A pool worker whose parent dies is not told otherwise: it would go on taking the tasks
still buffered in its queue (for `distill verify`, running untrusted code in the sandbox; bwrap's
--die-with-parent then ends the sandboxes with the worker).

Linux's PR_SET_PDEATHSIG asks the kernel to signal the child when its parent exits; elsewhere it
is not available and the children end when they next talk to their parent (documented fallback).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent exits. `parent_pid`: exit at
    once if the parent is already gone (it may die before this call). False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
    return True


def child_preexec(parent_pid: int):
    """`preexec_fn` for subprocess.Popen: the child dies with `parent_pid` (this process)."""
    return lambda: die_with_parent(parent_pid)
