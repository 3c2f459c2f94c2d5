"""Record-level work for a chunk of rows, in a worker process (or in-process with one worker).

A worker turns raw rows into trace records, runs the filter chain, writes the chunk's records to the
spool (survivors to a Parquet file, rejects to a JSONL file: see spool.py) and, for survivors,
computes what the dataset-level steps need: a completion hash (exact dedup) and MinHash signatures
of the completion and, once per prompt, of the problem. Only that small metadata goes back to the
parent; the texts stay on disk.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from distill.filter import minhash, spool
from distill.filter.chain import Chain
from distill.filter.config import FilterConfig, TraceSourceConfig
from distill.filter.record import normalize
from distill.json_lines import json_line
from distill.records import parse_line

_STATE: dict[str, Any] = {}


class RowResult(NamedTuple):
    index: int  # type: ignore[assignment]  # position among all rows read (shadows tuple.index)
    source: int  # index of the source it came from
    reason: str | None  # None: passed the record-level filters; "malformed": quarantine
    detail: str | None
    id: str | None
    prompt_key: str | None  # source + prompt_id
    domain: str | None
    sample_index: int
    tokens: int
    chars: int
    completion_hash: int | None
    completion_sig: np.ndarray | None
    problem_sig: np.ndarray | None  # only the first time this worker meets the prompt


class ChunkResult(NamedTuple):
    rows: list[RowResult]
    seconds: dict[str, float]
    seen: dict[str, int]
    verify_calls: int


def init(config: FilterConfig, sources: list[tuple[TraceSourceConfig, str]], eval_index, spool_dir: str) -> None:
    _STATE.update(
        config=config,
        sources=sources,
        chain=Chain(config, eval_index),
        problems=set(),
        spool=spool_dir,
        seconds={"read": 0.0, "signatures": 0.0, "spool": 0.0},
        verify_calls=0,
        kept=[],
        rejects=[],
    )


def completion_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def malformed(index: int, source_index: int, file: str, line: int, error: str | None, raw: str | None) -> RowResult:
    entry = {"source": file, "line": line, "reason": error, "raw": raw}
    return RowResult(
        index,
        source_index,
        "malformed",
        json.dumps(entry, ensure_ascii=False),
        None,
        None,
        None,
        0,
        0,
        0,
        None,
        None,
        None,
    )


def process_row(
    index: int,
    source_index: int,
    file: str,
    line: int,
    data: dict[str, Any] | None,
    error: str | None,
    raw: str | None,
    unparsed: bytes | None = None,
) -> RowResult:
    t0 = time.process_time()
    if unparsed is not None:  # a JSONL line the parent read but did not parse (records.read_rows(lazy=True))
        row = parse_line(file, line, unparsed)
        data, error, raw = row.data, row.error, row.raw
    if data is None:  # unreadable row (bad JSON, bad encoding): parse_line said why
        _STATE["seconds"]["read"] += time.process_time() - t0
        return malformed(index, source_index, file, line, error, raw)
    config: FilterConfig = _STATE["config"]
    source, name = _STATE["sources"][source_index]
    rec, error = normalize(data, source, name, line)
    _STATE["seconds"]["read"] += time.process_time() - t0
    if rec is None:
        return malformed(index, source_index, file, line, error, json.dumps(data, ensure_ascii=False, default=str))
    decision = _STATE["chain"](rec)
    tokens = rec["completion_tokens"] if rec["completion_tokens"] is not None else len(rec["completion"]) // 4
    prompt_key = f"{name}\x00{rec['prompt_id']}"
    base = dict(
        index=index,
        source=source_index,
        id=rec["id"],
        prompt_key=prompt_key,
        domain=rec["domain"],
        sample_index=rec["sample_index"],
        tokens=tokens,
        chars=len(rec["completion"]),
    )
    if decision is not None:
        t0 = time.process_time()
        line_out = spool.reject_row(rec, file, line, decision.reason, decision.detail, config.rejects_full)
        _STATE["rejects"].append(json_line(line_out))
        _STATE["seconds"]["spool"] += time.process_time() - t0
        return RowResult(
            reason=decision.reason,
            detail=decision.detail,
            completion_hash=None,
            completion_sig=None,
            problem_sig=None,
            **base,
        )
    t0 = time.process_time()
    dedup = config.dedup
    chash = completion_hash(rec["completion"]) if dedup.enabled and dedup.exact else None
    csig = (
        minhash.signature(rec["completion"], dedup.shingle, dedup.num_perm)
        if dedup.enabled and dedup.near_completions
        else None
    )
    psig = None
    if dedup.enabled and dedup.near_problems and prompt_key not in _STATE["problems"]:
        if len(_STATE["problems"]) > 200_000:
            _STATE["problems"].clear()
        _STATE["problems"].add(prompt_key)
        psig = minhash.signature(rec["problem"], dedup.shingle, dedup.num_perm)
    t1 = time.process_time()
    _STATE["seconds"]["signatures"] += t1 - t0
    _STATE["kept"].append(spool.spool_row(rec, index, file, line))
    _STATE["seconds"]["spool"] += time.process_time() - t1
    return RowResult(reason=None, detail=None, completion_hash=chash, completion_sig=csig, problem_sig=psig, **base)


def process_chunk(chunk_id: int, chunk: list[tuple]) -> ChunkResult:
    chain: Chain = _STATE["chain"]
    before = dict(chain.seconds), dict(chain.seen), dict(_STATE["seconds"])
    calls_before = getattr(getattr(chain, "correctness", None), "calls", 0)
    _STATE["kept"], _STATE["rejects"] = [], []
    rows = [process_row(*item) for item in chunk]
    t0 = time.process_time()
    spool.write_chunk(Path(_STATE["spool"]), chunk_id, _STATE["kept"], _STATE["rejects"])
    _STATE["seconds"]["spool"] += time.process_time() - t0
    seconds = {k: v - before[0].get(k, 0.0) for k, v in chain.seconds.items()}
    seconds.update({k: v - before[2][k] for k, v in _STATE["seconds"].items()})
    seen = {k: v - before[1].get(k, 0) for k, v in chain.seen.items()}
    calls = getattr(getattr(chain, "correctness", None), "calls", 0) - calls_before
    # last: once this file exists the chunk is done, and a rerun after a crash does not redo it
    spool.write_meta(Path(_STATE["spool"]), chunk_id, rows, {"seconds": seconds, "seen": seen, "verify_calls": calls})
    return ChunkResult(rows, seconds, seen, calls)


def load_chunk(spool_dir: str, chunk_id: int) -> ChunkResult:
    """The result of a chunk a previous run committed to the spool (resume after a crash)."""
    rows, extra = spool.read_meta(Path(spool_dir), chunk_id)
    return ChunkResult([RowResult(**row) for row in rows], extra["seconds"], extra["seen"], extra["verify_calls"])
