"""Pass 2 in parallel: the spool's chunks are grouped into shards, and each worker writes whole shards.

A group is a run of consecutive chunks holding at most `shard_rows` kept rows (the ledger knows how
many each chunk keeps, since chunk i holds rows [i*chunk_size, (i+1)*chunk_size)). A worker reads
its chunks' spooled survivors, writes the kept ones to `data/.tmp-GGGGG.parquet` and the ones a
dataset-level step rejected to `spool/dsrejects-GGGGG.jsonl`, then commits the group with
`spool/done-GGGGG.json` (its counts): a rerun after a crash does not write a committed group again.
The parent then renames the shards in order (`name_shards`, which a rerun may finish) and appends
the groups' reject files to rejects.jsonl in order (rejects_file.py), so the output is the same for
any number of workers and however often the run was interrupted.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from distill.filter import spool
from distill.filter.config import FilterConfig
from distill.filter.format import FormatFilter, assistant_content
from distill.filter.ledger import KEPT, NAME
from distill.json_lines import json_line

_STATE: dict[str, Any] = {}


def init(config: FilterConfig, codes: bytes, details: dict[int, str], spool_dir: str, data_dir: str) -> None:
    _STATE.update(
        config=config,
        codes=np.frombuffer(codes, dtype=np.int8),
        details=details,
        spool=Path(spool_dir),
        data=Path(data_dir),
        fmt=FormatFilter(config.format),
    )


def groups(codes: np.ndarray, n_chunks: int, chunk_size: int, shard_rows: int) -> list[list[int]]:
    """Consecutive chunks, each group with at most `shard_rows` kept rows (at least one chunk)."""
    kept = np.add.reduceat((codes == KEPT).astype(np.int64), np.arange(0, len(codes), chunk_size)) if len(codes) else []
    out: list[list[int]] = []
    current: list[int] = []
    count = 0
    for chunk in range(n_chunks):
        k = int(kept[chunk])
        if current and count + k > shard_rows:
            out.append(current)
            current, count = [], 0
        current.append(chunk)
        count += k
    if current:
        out.append(current)
    return out


def shard_path(data: Path, group: int) -> Path:
    return data / f".tmp-{group:05d}.parquet"


def rejects_path(spool_dir: Path, group: int) -> Path:
    return spool_dir / f"dsrejects-{group:05d}.jsonl"


def done_path(spool_dir: Path, group: int) -> Path:
    return spool_dir / f"done-{group:05d}.json"


def write_group_args(args: tuple[int, list[int]]) -> tuple[int, int, Counter]:
    return write_group(*args)


def _assistant(fmt: FormatFilter, completion: str, domain: str) -> str:
    parts = fmt.parts({"completion": completion, "domain": domain})
    return completion if isinstance(parts, str) else assistant_content(parts)


def write_group(group: int, chunks: list[int]) -> tuple[int, int, Counter]:
    """(kept rows written, rejected rows written, teachers) for one shard's worth of chunks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from distill.filter.shards import SCHEMA, conversations

    config: FilterConfig = _STATE["config"]
    done = done_path(_STATE["spool"], group)
    if done.is_file():  # committed by an earlier, interrupted run
        counts = json.loads(done.read_text(encoding="utf-8"))
        return counts["kept"], counts["rejected"], Counter(counts["teachers"])
    codes, fmt = _STATE["codes"], _STATE["fmt"]
    kept_n, rejected_n = 0, 0
    teachers: Counter[str] = Counter()
    shard = shard_path(_STATE["data"], group)
    part = shard.with_name(shard.name + ".part")
    rejects = rejects_path(_STATE["spool"], group)
    rejects_part = rejects.with_name(rejects.name + ".part")
    writer, lines = None, None  # lines: the dataset-level rejects, streamed to disk (full rows: GBs at 800K)
    try:
        for chunk in chunks:
            path = spool.kept_path(_STATE["spool"], chunk)
            if not path.is_file():
                continue
            table = spool.read_kept(path)
            row_codes = codes[table.column("row").to_numpy()]
            keep = row_codes == KEPT
            kept = table.filter(pa.array(keep, pa.bool_()))
            if kept.num_rows:
                completions, domains = kept.column("completion").to_pylist(), kept.column("domain").to_pylist()
                if writer is None:
                    # dictionaries only for the few-valued columns: long unique texts gain nothing from them
                    writer = pq.ParquetWriter(
                        part, SCHEMA, compression="zstd", use_dictionary=["domain", "source", "teacher"]
                    )
                writer.write_table(conversations(kept, [_assistant(fmt, c, d) for c, d in zip(completions, domains)]))
                teachers.update(kept.column("teacher").to_pylist())
                kept_n += kept.num_rows
            if not keep.all():
                if lines is None:
                    lines = open(rejects_part, "wb")
                for rec, code in zip(table.filter(pa.array(~keep, pa.bool_())).to_pylist(), row_codes[~keep]):
                    detail = _STATE["details"].get(rec["row"], "")
                    line = spool.reject_row(
                        rec, rec.pop("file"), rec.pop("line"), NAME[int(code)], detail, config.rejects_full
                    )
                    lines.write(json_line(line))
                    rejected_n += 1
        for handle in (writer, lines):
            if handle is not None:
                handle.close()
    except BaseException as exc:
        for handle in (writer, lines):
            try:
                if handle is not None:
                    handle.close()
            except OSError:
                pass
        part.unlink(missing_ok=True)
        rejects_part.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            raise spool.named_error(exc, part) from exc
        raise
    if lines is not None:
        rejects_part.replace(rejects)
    if writer is not None:
        part.replace(shard)
    spool.atomic_write(
        done,
        lambda p: p.write_text(
            json.dumps({"kept": kept_n, "rejected": rejected_n, "teachers": dict(teachers)}), encoding="utf-8"
        ),
    )
    return kept_n, rejected_n, teachers


def name_shards(data: Path, kept_per_group: list[int], on_rename=None) -> list[Path]:
    """Rename the groups' temporary shards to train-0000i-of-0000n.parquet, in group order. A rerun
    after a crash in the middle finds some already renamed: those are left as they are."""
    import pyarrow.parquet as pq

    from distill.filter.shards import SCHEMA

    groups = [g for g, kept in enumerate(kept_per_group) if kept]
    if not groups:  # an empty dataset is still a loadable dataset
        groups = [0]
        if not (data / "train-00000-of-00001.parquet").is_file():
            spool.atomic_write(shard_path(data, 0), lambda p: pq.write_table(SCHEMA.empty_table(), p))
    final = []
    for i, group in enumerate(groups):
        path, tmp = data / f"train-{i:05d}-of-{len(groups):05d}.parquet", shard_path(data, group)
        if tmp.is_file():
            tmp.replace(path)
            if on_rename is not None:
                on_rename(i + 1)
        elif not path.is_file():
            raise FileNotFoundError(f"shard {tmp} of this run is missing")
        final.append(path)
    return final
