"""Write the kept rows as Parquet shards under `data/`, in conversational form, as they stream by.

Shards are written to temporary names and renamed `train-00000-of-00003.parquet` at the end (the
count is known only then), the layout `datasets.load_dataset("parquet", data_dir=...)` and the
Hub expect. Rows arrive a chunk at a time as Arrow tables, so memory stays flat however large the dataset.
"""

from __future__ import annotations

import os
from pathlib import Path
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


def conversations(kept: pa.Table, assistants: list[str]) -> pa.Table:
    """The output rows for spooled records `kept`: messages (user problem, assistant turn) + metadata."""
    n = kept.num_rows
    contents = [text for pair in zip(kept.column("problem").to_pylist(), assistants) for text in pair]
    turns = pa.StructArray.from_arrays([pa.array(["user", "assistant"] * n, pa.string()), pa.array(contents, pa.string())],
                                       fields=list(SCHEMA.field("messages").type.value_type))
    messages = pa.ListArray.from_arrays(pa.array(range(0, 2 * n + 1, 2), pa.int32()), turns)
    columns = [messages] + [kept.column(name) for name in SCHEMA.names[1:]]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


class ShardWriter:
    def __init__(self, data_dir: str | Path, shard_rows: int):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.parquet"):  # a rerun replaces the dataset, never mixes with it
            old.unlink()
        self.shard_rows = shard_rows
        self.tmp_paths: list[Path] = []
        self.writer: pq.ParquetWriter | None = None
        self.in_shard = 0
        self.count = 0

    def write_table(self, table: pa.Table) -> None:
        """Append rows, starting a new shard every `shard_rows` rows."""
        while table.num_rows:
            if self.writer is None:
                path = self.dir / f".tmp-{len(self.tmp_paths):05d}.parquet"
                self.tmp_paths.append(path)
                # dictionaries only for the few-valued columns: long unique texts gain nothing from them
                self.writer = pq.ParquetWriter(path, SCHEMA, compression="zstd", use_dictionary=["domain", "source", "teacher"])
            take = min(table.num_rows, self.shard_rows - self.in_shard)
            self.writer.write_table(table.slice(0, take))
            self.count += take
            self.in_shard += take
            table = table.slice(take)
            if self.in_shard >= self.shard_rows:
                self.writer.close()
                self.writer, self.in_shard = None, 0

    def close(self) -> list[Path]:
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
