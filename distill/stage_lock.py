"""One writer per output directory: an advisory lock on `<out>/.distill.lock`.

The lock is an `flock` on the file, so the kernel drops it the moment its holder dies (kill -9, a
crash, a lost node): a dead process's lock never needs cleaning up, the next run just takes it.
The file itself stays and holds the last holder's pid, host, start time and command, which the
message names when the lock is taken. An exclusive lock is one writer; a shared lock lets several
writers in that have promised not to collide (the parts of one `distill generate --part i/N`),
while keeping out an exclusive writer (a whole-output generate or a merge).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
from pathlib import Path

from distill.core.clock import now_iso
from distill.errors import DistillError

LOCK_FILE = ".distill.lock"


def _holder() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": now_iso(), "command": " ".join(sys.argv)}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process (its details are unreadable)"
    text = f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started')} (`{holder.get('command')}`)"
    if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int) and not _alive(holder["pid"]):
        text += "; that process is gone but a child of it still holds the lock: end its workers"
    return text


class OutputLock:
    """`with OutputLock(out): ...` or acquire()/release(). Raises DistillError naming the holder."""

    def __init__(self, out_dir: str | Path, *, shared: bool = False, purpose: str = "write"):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_FILE
        self.shared = shared
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = (
                describe_holder(self.path)
                if self.shared or not self._held_shared(fd)
                else "the parts of a `distill generate --part i/N` run (their own locks are under parts/)"
            )
            os.close(fd)
            raise DistillError(
                f"{self.out_dir} is in use by {holder}; one writer per output: wait for it "
                f"to finish or stop it, or give this run another output directory"
            ) from None
        self._fd = fd
        if not self.shared:  # a shared holder leaves the exclusive holder's details alone
            data = (json.dumps(_holder()) + "\n").encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        return self

    @staticmethod
    def _held_shared(fd: int) -> bool:
        """Whether the holders hold the lock shared (a shared lock can still be had)."""
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
