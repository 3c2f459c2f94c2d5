"""Spool: what the workers write in pass 1, so that pass 2 never parses the input again.

Per chunk of input, a worker writes `spool/kept-NNNNNNN.arrow` (Arrow IPC: no encoding work; records that passed every
record-level filter: the candidates for dedup, selection and the mixture) and
`spool/rejects-NNNNNNN.jsonl` (records a record-level filter rejected, reason included). Pass 2
concatenates the reject files and streams the kept files once: rows still kept go to the dataset
shards, rows that a dataset-level step rejected go to rejects.jsonl. The spool is removed at the end.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather

COLUMNS = [
    ("row", pa.int64()), ("id", pa.string()), ("prompt_id", pa.string()), ("problem", pa.string()),
    ("answer", pa.string()), ("domain", pa.string()), ("completion", pa.string()), ("finish_reason", pa.string()),
    ("completion_tokens", pa.int64()), ("sample_index", pa.int64()), ("teacher", pa.string()), ("source", pa.string()),
    ("tests", pa.string()), ("file", pa.string()), ("line", pa.int64()), ("meta", pa.string()),
    ("context", pa.string()),  # JSON turns before the last user turn (a chat's system prompt, earlier turns)
]
SCHEMA = pa.schema(COLUMNS)


def kept_path(spool: Path, chunk: int) -> Path:
    return spool / f"kept-{chunk:07d}.arrow"


def rejects_path(spool: Path, chunk: int) -> Path:
    return spool / f"rejects-{chunk:07d}.jsonl"


def spool_row(rec: dict[str, Any], row: int, file: str, line: int) -> dict[str, Any]:
    out = {name: rec.get(name) for name, _ in COLUMNS}
    out.update(row=row, file=file, line=line, tests=json.dumps(rec["tests"]) if rec.get("tests") else None,
               meta=json.dumps(rec["meta"], ensure_ascii=False) if rec.get("meta") else None,
               context=json.dumps(rec["context"], ensure_ascii=False) if rec.get("context") else None)
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


def _atomic(path: Path, write) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def read_kept(path: Path) -> pa.Table:
    return feather.read_table(path, memory_map=True)


def write_chunk(spool: Path, chunk: int, kept: list[dict[str, Any]], rejects: list[str]) -> None:
    if kept:
        # Arrow IPC, uncompressed: the spool is read once, soon, from a local disk
        _atomic(kept_path(spool, chunk), lambda p: feather.write_feather(pa.Table.from_pylist(kept, schema=SCHEMA), p, compression="uncompressed"))
    if rejects:
        _atomic(rejects_path(spool, chunk), lambda p: p.write_text("".join(rejects), encoding="utf-8"))
