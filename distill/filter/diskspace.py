"""Disk faults in `distill filter`: the space a run needs is checked before it starts, and a write
that fails (full disk, quota, permission, read-only) ends in one line naming the path and the fix.

What a run writes, relative to the input's size on disk (measured on the benchmark traces,
docs/benchmarks/filter.md): the spool, about 0.5 (lz4 Arrow for survivors, JSON lines for rejects),
and the outputs, about 0.65 with full rows in rejects.jsonl (0.15 without), both present at the end
of pass 2. Earlier outputs and a discarded spool are freed first, so they count as available.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from distill.errors import DistillError
from distill.records import list_row_files

SPOOL_RATIO = 0.5
OUTPUT_RATIO = {True: 0.65, False: 0.15}  # by rejects_full
MARGIN = 32 * 2**20
FAULTS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
}


def input_bytes(sources) -> int:
    total = 0
    for source, _ in sources:
        for path in source.paths:
            total += sum(f.stat().st_size for f in list_row_files(path))
    return total


def needed(sources, rejects_full: bool) -> int:
    return int(input_bytes(sources) * (SPOOL_RATIO + OUTPUT_RATIO[bool(rejects_full)])) + MARGIN


def _gb(n: int) -> str:
    return f"{n / 2**30:.2f} GB" if n >= 2**28 else f"{n / 2**20:.0f} MB"


def check(out: Path, need: int, reclaimable: int) -> None:
    """Refuse to start when the output's file system cannot hold what the run will write."""
    free = shutil.disk_usage(out).free
    if free + reclaimable < need:
        raise DistillError(
            f"not enough disk space in {out}: this filter run needs about {_gb(need)} (spool + outputs), "
            f"{_gb(free)} free{f' (+ {_gb(reclaimable)} of earlier outputs it replaces)' if reclaimable else ''}; "
            "free space there, choose another --output, or set filter.rejects_full: false"
        )


def used_by(out: Path, spool: Path) -> int:
    """Bytes that a fresh start frees: an earlier run's outputs and spool."""
    total = 0
    for path in [out / "data", spool] + [out / name for name in ("rejects.jsonl", "quarantine.jsonl")]:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


def fault(exc: OSError, spool: Path) -> DistillError | None:
    """The one-line error for a disk fault, or None for other OSErrors."""
    code = exc.errno
    if code is None and "No space left on device" in str(exc):  # pyarrow's IO errors carry only the text
        code = errno.ENOSPC
    if code not in FAULTS:
        return None
    where = exc.filename or "a file under " + str(spool.parent)
    fix = (
        (
            "free space on that file system (or choose another --output) and rerun: the work done so far is kept "
            f"in {spool} and the rerun continues from it"
        )
        if code in (errno.ENOSPC, errno.EDQUOT)
        else "make the output directory writable (or choose another --output) and rerun"
    )
    return DistillError(f"filter: {FAULTS[code]} writing {where}: {fix}")


def remove_partial(out: Path, spool: Path) -> None:
    """Half-written files a failed write leaves: their names end in .tmp or .part."""
    for folder in (out, out / "data", spool):
        if folder.is_dir():
            for path in {
                *folder.glob("*.tmp"),
                *folder.glob(".*.tmp"),
                *folder.glob("*.part"),
                *folder.glob(".*.part"),
            }:
                path.unlink(missing_ok=True)
