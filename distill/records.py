"""Reading and writing row files (JSONL, Parquet) so that no row is ever lost.

`read_rows` yields every row of one or more files with where it came from. A row that cannot be
parsed (bad JSON, bad UTF-8, not an object) is yielded as malformed with its reason instead of
raising, so callers can quarantine it and keep kept + rejected + malformed = read.
Writes go to a temporary file that is renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distill.errors import DistillError

ROW_SUFFIXES = (".jsonl", ".json", ".parquet")


@dataclass
class Row:
    source: str  # file the row came from
    line: int  # 1-based line (JSONL) or row number (Parquet)
    data: dict[str, Any] | None  # None when malformed
    error: str | None = None  # why the row is malformed
    raw: str | None = None  # the raw text of a malformed line, kept for the quarantine file
    unparsed: bytes | None = None  # read_rows(lazy=True): the line, not parsed yet (then data is None)


def list_row_files(path: str | Path) -> list[Path]:
    """A file, or every JSONL/Parquet file under a directory (sorted, temp files skipped)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in ROW_SUFFIXES and not p.name.startswith(".")
        )
        if not files:
            raise DistillError(f"{path}: no .jsonl or .parquet files in this directory")
        return files
    raise DistillError(f"{path}: no such file or directory")


def read_rows(path: str | Path, *, lazy: bool = False) -> Iterator[Row]:
    """Every row of the files at `path`. `lazy`: a JSONL line comes as an unparsed Row (`unparsed` set,
    `data` None) for the caller to hand to `parse_line` elsewhere: the filter parses in its workers."""
    for file in list_row_files(path):
        if file.suffix == ".parquet":
            yield from _read_parquet(file)
        else:
            yield from _read_jsonl(file, lazy)


def _read_jsonl(file: Path, lazy: bool = False) -> Iterator[Row]:
    name = str(file)
    with open(file, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield Row(name, number, None, unparsed=raw) if lazy else parse_line(name, number, raw)


def parse_line(source: str, number: int, raw: bytes) -> Row:
    """One JSONL line as a Row: its object, or malformed with the reason (bad UTF-8, bad JSON, not an object)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"bad encoding: {exc.reason} at byte {exc.start}"
        return Row(source, number, None, reason, raw.decode("utf-8", "replace"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Row(source, number, None, f"bad JSON: {exc.msg} at column {exc.colno}", text.rstrip("\n"))
    if not isinstance(data, dict):
        return Row(source, number, None, f"not a JSON object: {type(data).__name__}", text.rstrip("\n"))
    return Row(source, number, data)


def parsed(row: Row) -> Row:
    """`row` itself, or the parsed Row of an unparsed (lazy) one."""
    return row if row.unparsed is None else parse_line(row.source, row.line, row.unparsed)


def _read_parquet(file: Path) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(file)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise DistillError(f"{file}: cannot read Parquet: {exc}") from None
    number = 0
    for batch in parquet.iter_batches(batch_size=4096):
        for data in batch.to_pylist():
            number += 1
            yield Row(str(file), number, data)


def missing_fields(data: dict[str, Any], required: Iterable[str]) -> list[str]:
    return [name for name in required if name not in data or data[name] is None]


class AtomicJsonlWriter:
    """Write JSONL to `path.tmp`, then rename to `path` on close. On error the temp file is removed."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        self._handle = open(self.tmp, "w", encoding="utf-8")
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._handle.closed:
            return
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            os.replace(self.tmp, self.path)
        except OSError:  # a full disk at the last flush: no temp file is left behind
            self.abort()
            raise

    def abort(self) -> None:
        if not self._handle.closed:
            try:
                self._handle.close()
            except OSError:  # the buffered rest could not be flushed (full disk): the file goes anyway
                pass
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicJsonlWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    with AtomicJsonlWriter(path) as writer:
        for row in rows:
            writer.write(row)
    return writer.count
