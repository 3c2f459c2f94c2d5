"""Spool: what the workers write in pass 1, so that pass 2 never parses the input again.

Per chunk of input, a worker writes `spool/kept-NNNNNNN.arrow` (Arrow IPC: no encoding work; records that passed every
record-level filter: the candidates for dedup, selection and the mixture) and
`spool/rejects-NNNNNNN.jsonl` (records a record-level filter rejected, reason included), and last
`spool/meta-NNNNNNN.arrow`: the chunk's row results (fates, ids, hashes, MinHash signatures, CPU
seconds). A meta file exists only once the chunk's other files do, so a rerun after a crash takes
every chunk that has one as done (resume.py). Pass 2 concatenates the reject files and streams the
kept files once: rows still kept go to the dataset shards, rows that a dataset-level step rejected go
to rejects.jsonl. The spool is removed once every output is written.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

COLUMNS = [
    ("row", pa.int64()),
    ("id", pa.string()),
    ("prompt_id", pa.string()),
    ("problem", pa.string()),
    ("answer", pa.string()),
    ("domain", pa.string()),
    ("completion", pa.string()),
    ("finish_reason", pa.string()),
    ("completion_tokens", pa.int64()),
    ("sample_index", pa.int64()),
    ("teacher", pa.string()),
    ("source", pa.string()),
    ("tests", pa.string()),
    ("file", pa.string()),
    ("line", pa.int64()),
    ("meta", pa.string()),
    ("context", pa.string()),  # JSON turns before the last user turn (a chat's system prompt, earlier turns)
]
SCHEMA = pa.schema(COLUMNS)


def kept_path(spool: Path, chunk: int) -> Path:
    return spool / f"kept-{chunk:07d}.arrow"


def rejects_path(spool: Path, chunk: int) -> Path:
    return spool / f"rejects-{chunk:07d}.jsonl"


def spool_row(rec: dict[str, Any], row: int, file: str, line: int) -> dict[str, Any]:
    out = {name: rec.get(name) for name, _ in COLUMNS}
    out.update(
        row=row,
        file=file,
        line=line,
        tests=json.dumps(rec["tests"]) if rec.get("tests") else None,
        meta=json.dumps(rec["meta"], ensure_ascii=False) if rec.get("meta") else None,
        context=json.dumps(rec["context"], ensure_ascii=False) if rec.get("context") else None,
    )
    return out


def reject_row(rec: dict[str, Any], file: str, line: int, reason: str, detail: str, full: bool) -> dict[str, Any]:
    """The line written to rejects.jsonl: the trace record, where it came from, and why."""
    out = {k: v for k, v in rec.items() if v is not None and k != "row"}
    if isinstance(out.get("tests"), str):
        out["tests"] = json.loads(out["tests"])
    for name in ("meta", "context"):
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    if not full:  # metadata and reason only: a much smaller file
        for name in ("completion", "problem", "tests"):
            out.pop(name, None)
    out.update(file=file, line=line, reject_reason=reason, reject_detail=detail)
    return out


def meta_path(spool: Path, chunk: int) -> Path:
    return spool / f"meta-{chunk:07d}.arrow"


def atomic_write(path: Path, write) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    try:
        write(tmp)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)  # a full disk must not leave half a file behind
        if isinstance(exc, OSError) and exc.filename is None:
            raise named_error(exc, path) from exc
        raise
    os.replace(tmp, path)


def named_error(exc: OSError, path: Path) -> OSError:
    """pyarrow's IO errors carry the reason only in their text: the same error, with the file named."""
    code = exc.errno or next(
        (
            c
            for c, text in (
                (errno.ENOSPC, "No space left"),
                (errno.EDQUOT, "quota"),
                (errno.EACCES, "Permission denied"),
            )
            if text in str(exc)
        ),
        None,
    )
    return OSError(code, os.strerror(code) if code else str(exc), str(path))


def read_kept(path: Path) -> pa.Table:
    return feather.read_table(path, memory_map=True)


def write_chunk(spool: Path, chunk: int, kept: list[dict[str, Any]], rejects: list[bytes]) -> None:
    """`kept`: spool_row dicts; `rejects`: JSON lines (json_lines.json_line)."""
    if kept:
        # Arrow IPC with lz4: cheap to write and read, and the spool takes about a third of the
        # input's size on disk instead of all of it
        atomic_write(
            kept_path(spool, chunk),
            lambda p: feather.write_feather(pa.Table.from_pylist(kept, schema=SCHEMA), p, compression="lz4"),
        )
    if rejects:
        atomic_write(rejects_path(spool, chunk), lambda p: p.write_bytes(b"".join(rejects)))


_SIG = pa.list_(pa.uint32())
META = pa.schema(
    [
        ("index", pa.int64()),
        ("source", pa.int64()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("id", pa.string()),
        ("prompt_key", pa.string()),
        ("domain", pa.string()),
        ("sample_index", pa.int64()),
        ("tokens", pa.int64()),
        ("chars", pa.int64()),
        ("completion_hash", pa.uint64()),
        ("completion_sig", _SIG),
        ("problem_sig", _SIG),
    ]
)


def write_meta(spool: Path, chunk: int, rows: list, extra: dict[str, Any]) -> None:
    """The chunk's RowResults (worker.py) and its counters, written last: the chunk's commit mark."""
    columns = {name: [getattr(r, name) for r in rows] for name in META.names}
    table = pa.Table.from_pydict(columns, schema=META).replace_schema_metadata({"chunk": json.dumps(extra)})
    atomic_write(meta_path(spool, chunk), lambda p: feather.write_feather(table, p, compression="uncompressed"))


def read_meta(spool: Path, chunk: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(row fields as dicts, counters) of a committed chunk."""
    table = feather.read_table(meta_path(spool, chunk))
    extra = json.loads(table.schema.metadata[b"chunk"])
    rows = table.to_pylist()
    for row in rows:
        for name in ("completion_sig", "problem_sig"):
            if row[name] is not None:
                row[name] = np.asarray(row[name], dtype=np.uint32)
    return rows, extra
