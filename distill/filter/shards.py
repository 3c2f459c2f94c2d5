"""Write the kept rows as Parquet shards under `data/`, in conversational form, as they stream by.

Shards are written to temporary names and renamed `train-00000-of-00003.parquet` at the end (the
count is known only then), the layout `datasets.load_dataset("parquet", data_dir=...)` and the
Hub expect. Rows are buffered in small batches, so memory stays flat however large the dataset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([
    ("messages", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
    ("id", pa.string()),
    ("prompt_id", pa.string()),
    ("domain", pa.string()),
    ("source", pa.string()),
    ("answer", pa.string()),
    ("completion_tokens", pa.int64()),
    ("teacher", pa.string()),
])
BATCH = 512


def conversation(rec: dict[str, Any], assistant: str) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": rec["problem"]}, {"role": "assistant", "content": assistant}],
        "id": rec["id"], "prompt_id": rec["prompt_id"], "domain": rec["domain"], "source": rec["source"],
        "answer": rec["answer"], "completion_tokens": rec["completion_tokens"], "teacher": rec["teacher"],
    }


class ShardWriter:
    def __init__(self, data_dir: str | Path, shard_rows: int):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.parquet"):  # a rerun replaces the dataset, never mixes with it
            old.unlink()
        self.shard_rows = shard_rows
        self.buffer: list[dict[str, Any]] = []
        self.tmp_paths: list[Path] = []
        self.writer: pq.ParquetWriter | None = None
        self.in_shard = 0
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        self.count += 1
        if len(self.buffer) >= BATCH or self.in_shard + len(self.buffer) >= self.shard_rows:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        if self.writer is None:
            path = self.dir / f".tmp-{len(self.tmp_paths):05d}.parquet"
            self.tmp_paths.append(path)
            self.writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=SCHEMA))
        self.in_shard += len(self.buffer)
        self.buffer = []
        if self.in_shard >= self.shard_rows:
            self.writer.close()
            self.writer, self.in_shard = None, 0

    def close(self) -> list[Path]:
        self._flush()
        if self.writer is not None:
            self.writer.close()
        if not self.tmp_paths:  # an empty dataset is still a loadable dataset
            path = self.dir / ".tmp-00000.parquet"
            pq.write_table(SCHEMA.empty_table(), path)
            self.tmp_paths.append(path)
        total = len(self.tmp_paths)
        final = []
        for i, tmp in enumerate(self.tmp_paths):
            path = self.dir / f"train-{i:05d}-of-{total:05d}.parquet"
            os.replace(tmp, path)
            final.append(path)
        return final

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        for tmp in self.tmp_paths:
            tmp.unlink(missing_ok=True)
