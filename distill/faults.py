"""Faults of the machine, not of the input: a full disk, a permission, a file gone under a running
stage. Each becomes one line naming the path and what to do; the stage's manifest says `failed`
(distill.manifest.StageRun) and a rerun of the same command continues from what was finished.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

FIXES = {
    errno.ENOSPC: "free space there (or point output_dir at a bigger disk) and rerun the same command; "
    "finished work is kept",
    errno.EDQUOT: "free space within your quota (or point output_dir elsewhere) and rerun the same command; "
    "finished work is kept",
    errno.EACCES: "make it accessible to this user (or choose another output_dir) and rerun the same command",
    errno.EPERM: "make it accessible to this user (or choose another output_dir) and rerun the same command",
    errno.EROFS: "that file system is read-only: choose another output_dir and rerun",
    errno.ENOENT: "it was removed or never made: restore it (or rerun the stage that makes it) "
    "and rerun the same command",
}
# Libraries that write through their own I/O (safetensors, pyarrow) raise other types with the OS message.
MESSAGES = {
    "No space left on device": errno.ENOSPC,
    "Disk quota exceeded": errno.EDQUOT,
    "Permission denied": errno.EACCES,
    "Read-only file system": errno.EROFS,
}


LOW_SPACE = 1 << 20  # under 1 MiB free after a failed write: the disk was full


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def fault_errno(exc: BaseException) -> int | None:
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in FIXES:
            return link.errno
        text = str(link)
        code = next((code for message, code in MESSAGES.items() if message in text), None)
        if code is not None:
            return code
    return None


def free_bytes(where: str | Path) -> int | None:
    path = Path(where)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        stat = os.statvfs(path)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def describe(exc: BaseException, where: str | Path | None = None) -> str | None:
    """One line for a machine fault, or None when `exc` is not one. Writers that hide the OS error
    (torch.save: "unexpected pos", "iostream error") are recognised by the disk being full after.
    A DistillError is already the one line a stage chose (e.g. the filter's, naming its spool): kept."""
    from distill.errors import DistillError

    if isinstance(exc, DistillError):
        return None
    code = fault_errno(exc)
    if code is None and where is not None and isinstance(exc, (OSError, RuntimeError)):
        free = free_bytes(where)
        if free is not None and free < LOW_SPACE:
            code = errno.ENOSPC
    if code is None:
        return None
    link = next((e for e in _chain(exc) if isinstance(e, OSError) and e.errno == code), None)
    path = (link.filename if link is not None and link.filename else None) or where
    reason = link.strerror if link is not None and link.strerror else os.strerror(code)
    return f"{reason} ({errno.errorcode.get(code, '')}) at {path}; {FIXES[code]}"
