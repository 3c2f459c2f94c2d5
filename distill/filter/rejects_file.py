"""rejects.jsonl, assembled as the run goes: record-level rejects in pass 1, dataset-level ones after pass 2.

The file is the record-level rejects of every chunk, in chunk order, then the dataset-level rejects of
every shard group, in group order: the same bytes for any number of workers and however often the
run was interrupted. Copying gigabytes of rejects at the end of the run was a serial step of ~20 s at
800K traces (5 GB on a machine that copies at ~250 MB/s); here each chunk's rejects are appended
as soon as its result arrives in pass 1, while the workers go on with later chunks. The file is
`.rejects.jsonl.tmp` until `commit` renames it, so a crash never leaves half a rejects.jsonl (and a
disk fault removes it: diskspace.remove_partial); a rerun
rebuilds it from the spool (a resumed chunk's rejects file is still there), since pass 1 appends
every chunk, run again or read back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from distill.filter import spool


class RejectsFile:
    def __init__(self, out: Path):
        self.path = out / "rejects.jsonl"
        self.tmp = out / ".rejects.jsonl.tmp"  # the name resume.remove_outputs clears
        self.handle = open(self.tmp, "wb")  # truncates what a crashed run left
        self.record_level = 0  # lines appended from pass 1's chunks

    @contextmanager
    def _naming_the_file(self) -> Iterator[None]:
        """A write fault (a full disk, at a write or at the last flush) names rejects.jsonl."""
        try:
            yield
        except OSError as exc:
            if exc.filename is not None:
                raise
            raise spool.named_error(exc, self.path) from exc

    def _append(self, path: Path) -> int:
        if not path.is_file():
            return 0
        data = path.read_bytes()
        with self._naming_the_file():
            self.handle.write(data)
        return data.count(b"\n")

    def append_chunk(self, spool_dir: Path, chunk: int) -> None:
        """Chunk `chunk`'s record-level rejects (chunks must come in order)."""
        self.record_level += self._append(spool.rejects_path(spool_dir, chunk))

    def commit(self, group_rejects: list[Path]) -> int:
        """Append the dataset-level rejects of each shard group, in order, and put the file in place;
        returns the record-level line count."""
        for path in group_rejects:
            self._append(path)
        with self._naming_the_file():
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
        os.replace(self.tmp, self.path)
        return self.record_level

    def abort(self) -> None:
        if not self.handle.closed:
            try:
                self.handle.close()
            except OSError:  # a full disk at the last flush
                pass
        self.tmp.unlink(missing_ok=True)
