"""Trace shards: written atomically, scanned on restart, so no sample is lost or written twice.

    <out>/shards/part-00000-00012.jsonl    records of part 0, chunk 12 (temp file + rename)
    <out>/index/part-00000-00012.json      its ids, error ids and byte size (a fast restart scan)

A shard is either complete or absent: a crash leaves at most a `.tmp` file, which is removed. On
restart every shard of every part is scanned (through its index when the index matches the
shard's size), and a (prompt_id, sample_index) that has a non-error record is done. Error records
are not done: before retrying, they are removed from their shard (rewritten atomically), so the
retry's records replace them rather than duplicate them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.core.trace import split_trace_id
from distill.errors import DistillError
from distill.generate import fingerprint
from distill.manifest import MANIFEST, read_json, write_json_atomic
from distill.records import AtomicJsonlWriter, read_rows

SHARD_RE = re.compile(r"^part-(\d{5})-(\d{5})\.jsonl$")
SHARD_DIR = "shards"


def output_shards(path: str | Path) -> Path | None:
    """`path`'s shards/ folder when `path` is a generate output directory, else None.

    A generate output is known by what only generate writes there: generation.json (before the first
    shard) or a manifest of the generate command (a named stage's manifest names it in `command`),
    beside shards/. A folder of the user's that merely has a shards/ subfolder is not one."""
    path = Path(path)
    shards = path / SHARD_DIR
    if not shards.is_dir():
        return None
    if (path / fingerprint.FILE).is_file():
        return shards
    manifest = read_json(path / MANIFEST) or {}
    return shards if manifest.get("command", manifest.get("stage")) == "generate" else None


def split_id(record_id: str) -> tuple[str, int]:
    prompt_id, index = split_trace_id(record_id)
    return prompt_id, int(index)


@dataclass
class ShardInfo:
    path: Path
    ids: list[str]
    errors: list[str]
    totals: dict[str, Any] = field(default_factory=dict)  # finish reasons and token counts


def shard_totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts a merge can add up without reading the traces again."""
    reasons: dict[str, int] = {}
    prompt_tokens: dict[str, int] = {}
    for record in records:
        reasons[record["finish_reason"]] = reasons.get(record["finish_reason"], 0) + 1
        prompt_tokens[record["prompt_id"]] = int(record.get("prompt_tokens") or 0)  # prefilled once per prompt
    return {
        "finish_reasons": reasons,
        "completion_tokens": sum(int(r.get("completion_tokens") or 0) for r in records),
        "prompt_tokens": sum(prompt_tokens.values()),
    }


@dataclass
class Scan:
    shards: list[ShardInfo] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # ids with a non-error record
    duplicates: list[str] = field(default_factory=list)  # ids with more than one non-error record

    @property
    def records(self) -> int:
        return sum(len(s.ids) for s in self.shards)


class ShardStore:
    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        self.shard_dir = self.out_dir / SHARD_DIR
        self.index_dir = self.out_dir / "index"

    def shard_files(self) -> list[Path]:
        if not self.shard_dir.is_dir():
            return []
        return sorted(p for p in self.shard_dir.iterdir() if SHARD_RE.match(p.name))

    def remove_partial(self, part: int) -> int:
        """Delete this part's temp files left by a crash (other parts may be writing theirs)."""
        removed = 0
        for tmp in self.shard_dir.glob(f"part-{part:05d}-*.jsonl.tmp") if self.shard_dir.is_dir() else []:
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed

    def next_chunk(self, part: int) -> int:
        chunks = [
            int(m.group(2)) for p in self.shard_files() if (m := SHARD_RE.match(p.name)) and int(m.group(1)) == part
        ]
        return max(chunks) + 1 if chunks else 0

    def scan(self) -> Scan:
        scan = Scan()
        for path in self.shard_files():
            info = self._info(path)
            scan.shards.append(info)
            errors = set(info.errors)
            for rid in info.ids:
                if rid in errors:
                    continue
                if rid in scan.done:
                    scan.duplicates.append(rid)
                scan.done.add(rid)
        return scan

    def _info(self, path: Path) -> ShardInfo:
        index = self.index_dir / (path.stem + ".json")
        size = path.stat().st_size
        if index.is_file():
            try:
                data = json.loads(index.read_text(encoding="utf-8"))
                if data.get("size") == size:
                    return ShardInfo(path, data["ids"], data["errors"], data["totals"])
            except (OSError, json.JSONDecodeError, KeyError):
                pass  # rebuilt below from the shard itself
        records = []
        for row in read_rows(path):
            if row.data is None or "id" not in row.data:
                raise DistillError(
                    f"{path}:{row.line}: unreadable trace record ({row.error or 'no id'}); "
                    "shards are written atomically, so this file was changed by something else"
                )
            records.append(row.data)
        return self._write_index(path, records)

    def _write_index(self, path: Path, records: list[dict[str, Any]]) -> ShardInfo:
        info = ShardInfo(
            path,
            [r["id"] for r in records],
            [r["id"] for r in records if r.get("finish_reason") == "error"],
            shard_totals(records),
        )
        self.index_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(
            self.index_dir / (path.stem + ".json"),
            {
                "shard": path.name,
                "size": path.stat().st_size,
                "ids": info.ids,
                "errors": info.errors,
                "totals": info.totals,
            },
        )
        return info

    def write(self, part: int, chunk: int, records: Iterable[dict[str, Any]]) -> Path:
        path = self.shard_dir / f"part-{part:05d}-{chunk:05d}.jsonl"
        if path.exists():
            raise DistillError(f"{path} already exists: is another process running the same part?")
        records = list(records)
        with AtomicJsonlWriter(path) as writer:
            for record in records:
                writer.write(record)
        self._write_index(path, records)
        return path

    def drop_errors(self, scan: Scan, mine: Callable[[str], bool]) -> int:
        """Remove error records of our prompts so their retry replaces them; returns how many."""
        dropped = 0
        for info in scan.shards:
            targets = {rid for rid in info.errors if mine(split_id(rid)[0])}
            if not targets:
                continue
            kept = [row.data for row in read_rows(info.path) if row.data and row.data["id"] not in targets]
            if kept:
                with AtomicJsonlWriter(info.path) as writer:
                    for record in kept:
                        writer.write(record)
            else:
                info.path.unlink()
            (self.index_dir / (info.path.stem + ".json")).unlink(missing_ok=True)
            if kept:
                self._write_index(info.path, kept)
            dropped += len(targets)
        return dropped
