"""One memory limit for a whole sandbox run: a fresh memory cgroup per run, where one can be made.

RLIMIT_AS bounds each process's mapped memory, but not what a program parks outside its address
space: pages of a tmpfs (/tmp, /dev/shm), memfds, pipe buffers. A memory cgroup charges all of
it, every process of the run included, and its OOM killer ends the run when the limit is reached.

Where: under this process's own cgroup, so limits above it still hold.
- cgroup v2, when the memory controller is already enabled for our children
  (`memory` in cgroup.subtree_control) and the directory is writable: memory.max, swap 0;
- cgroup v1, when the memory hierarchy is mounted and our directory in it is writable:
  memory.limit_in_bytes (+ memsw, so swap does not count as free);
- otherwise there is no whole-sandbox cap, and the sandbox says so once on stderr and falls back
  to per-process RLIMIT_AS, size-capped writable tmpfs, a read-only /dev, and memfd_create denied.

A run joins its cgroup through a tiny shell wrapper that writes its own pid into cgroup.procs and
then execs bwrap, so every process of the run is born inside it (no window to escape). After the
run every process still in it is killed and the directory removed. The name carries the owner's
pid and start time: a later sandbox removes the cgroups of owners that died without cleaning up.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "distill-sandbox-"
JOIN = 'echo $$ > "$0" && exec "$@"'  # /bin/sh -c JOIN PROCS_FILE COMMAND...


@dataclass(frozen=True)
class Layout:
    version: int  # 1 or 2
    parent: Path  # our own cgroup directory, where run cgroups are made


def detect() -> Layout | None:
    """Where a run cgroup with a memory limit can be made, or None."""
    mounts = _mounts()
    for version, root, path in _own_cgroups(mounts):
        parent = root / path.lstrip("/")
        if not parent.is_dir() or not os.access(parent, os.W_OK):
            continue
        if version == 2:
            try:
                if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                    continue
            except OSError:
                continue
        if _probe(Layout(version, parent)):
            return Layout(version, parent)
    return None


def _mounts() -> list[tuple[str, str, str, str]]:
    """(fstype, mount point, root within the hierarchy, super options) of each cgroup mount."""
    found: list[tuple[str, str, str, str]] = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            found.append((tail[0], fields[4], fields[3], tail[2]))
    return found


def _own_cgroups(mounts) -> list[tuple[int, Path, str]]:
    """(version, mount point, our path below it) for the v2 and the v1 memory hierarchy."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for fstype, point, root, options in mounts:
            v2 = controllers == "" and fstype == "cgroup2"
            v1 = fstype == "cgroup" and "memory" in controllers.split(",") and "memory" in options.split(",")
            if v2 or v1:
                inside = path[len(root) :] if root != "/" and path.startswith(root) else path
                out.append((2 if v2 else 1, Path(point), inside))
    return sorted(out, key=lambda item: -item[0])  # v2 first where both exist


def _probe(layout: Layout) -> bool:
    try:
        run = RunCgroup.create(layout, 64 << 20, uid=None)
    except OSError:
        return False
    run.remove()
    return True


_SERIAL = itertools.count()


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] in ("Z", "X") else fields[19]  # a zombie has ended: its owner is gone


def owner_tag() -> str:
    return f"{os.getpid()}-{_start_time(os.getpid())}"


class RunCgroup:
    """The cgroup of one sandbox run."""

    def __init__(self, layout: Layout, path: Path):
        self.layout, self.path = layout, path

    @classmethod
    def create(cls, layout: Layout, limit_bytes: int, uid: int | None) -> RunCgroup:
        path = layout.parent / f"{PREFIX}{owner_tag()}-{next(_SERIAL)}"
        path.mkdir()
        run = cls(layout, path)
        try:
            if layout.version == 2:
                _write(path / "memory.max", limit_bytes)
                _write_if_there(path / "memory.swap.max", 0)
            else:
                _write(path / "memory.limit_in_bytes", limit_bytes)
                _write_if_there(path / "memory.memsw.limit_in_bytes", limit_bytes)
            if uid is not None:  # the run starts as this user and must move itself in
                os.chown(path / "cgroup.procs", uid, -1)
        except OSError:
            run.remove()
            raise
        return run

    @property
    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def oom_killed(self) -> bool:
        """Did the limit end (part of) the run?"""
        name = "memory.events" if self.layout.version == 2 else "memory.oom_control"
        try:
            text = (self.path / name).read_text()
        except OSError:
            return False
        counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(counts.get("oom_kill", 0)) > 0 or int(counts.get("oom", 0)) > 0

    def remove(self, wait: float = 2.0) -> bool:
        """Kill whatever still runs in it and remove it; False if it could not be removed yet."""
        deadline = time.monotonic() + wait
        while True:
            for pid in self._pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.path.rmdir()
                return True
            except FileNotFoundError:
                return True
            except OSError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.01)

    def _pids(self) -> list[int]:
        try:
            return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []


def sweep(layout: Layout) -> int:
    """Remove run cgroups left by owners that died (SIGKILL) before cleaning up; how many."""
    removed = 0
    for path in layout.parent.glob(PREFIX + "*"):
        pid, _, rest = path.name[len(PREFIX) :].partition("-")
        started = rest.rpartition("-")[0]
        if not pid.isdigit() or _start_time(int(pid)) == started:
            continue  # its owner is alive: not ours to touch
        removed += RunCgroup(layout, path).remove(wait=0.5)
    return removed


def _write(path: Path, value: int) -> None:
    path.write_text(str(value))


def _write_if_there(path: Path, value: int) -> None:
    if path.exists():
        _write(path, value)
