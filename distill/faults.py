"""Faults of the machine, not of the input: a full disk, a permission, a file gone under a running
stage. Each becomes one line naming the path and what to do; the stage's manifest says `failed`
(distill.manifest.StageRun) and a rerun of the same command continues from what was finished.
"""

from __future__ import annotations

import errno
from pathlib import Path

FIXES = {
    errno.ENOSPC: "free space there (or point output_dir at a bigger disk) and rerun the same command; finished work is kept",
    errno.EDQUOT: "free space within your quota (or point output_dir elsewhere) and rerun the same command; finished work is kept",
    errno.EACCES: "make it accessible to this user (or choose another output_dir) and rerun the same command",
    errno.EPERM: "make it accessible to this user (or choose another output_dir) and rerun the same command",
    errno.EROFS: "that file system is read-only: choose another output_dir and rerun",
    errno.ENOENT: "it was removed or never made: restore it (or rerun the stage that makes it) and rerun the same command",
}
# Libraries that write through their own I/O (safetensors, pyarrow) raise other types with the OS message.
MESSAGES = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
            "Permission denied": errno.EACCES, "Read-only file system": errno.EROFS}


def fault_errno(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno in FIXES:
        return exc.errno
    if isinstance(exc, (OSError, RuntimeError, ValueError)) or type(exc).__module__.startswith(("safetensors", "pyarrow")):
        text = str(exc)
        return next((code for message, code in MESSAGES.items() if message in text), None)
    return None


def describe(exc: BaseException, where: str | Path | None = None) -> str | None:
    """One line for a machine fault, or None when `exc` is not one."""
    code = fault_errno(exc)
    if code is None:
        return None
    path = getattr(exc, "filename", None) or where
    what = errno.errorcode.get(code, "")
    reason = getattr(exc, "strerror", None) if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
    return f"{reason} ({what}) at {path}; {FIXES[code]}"
