"""Verify a file of rows: the engine behind `distill verify`.

Every row read is accounted for: verified (written to OUT with `correct`, `extracted`, `reason`)
or malformed (bad JSON, missing fields, unusable tests: written to OUT.quarantine.jsonl with the
reason). Workers are spawn-safe processes; each one keeps its own math cache and sandbox check.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distill.errors import DistillError
from distill.orphans import die_with_parent
from distill.records import AtomicJsonlWriter, Row, list_row_files, read_rows
from distill.verify.sandbox import SandboxUnavailable

CHUNK = 16  # rows per task sent to a worker: amortizes pickling without starving workers


@dataclass
class Counts:
    read: int = 0
    verified: int = 0
    correct: int = 0
    malformed: int = 0
    reasons: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        share = f" ({100 * self.correct / self.verified:.1f}%)" if self.verified else ""
        reasons = ", ".join(f"{name} {count}" for name, count in self.reasons.most_common())
        return (
            f"read {self.read} = verified {self.verified} + malformed {self.malformed}; "
            f"correct {self.correct}{share}" + (f"; reasons: {reasons}" if reasons else "")
        )


def quarantine_path(out: Path) -> Path:
    return out.with_name(out.stem + ".quarantine.jsonl")


def count_rows(path: str | Path) -> int | None:
    """Rows in the input, for the progress ETA (cheap: counts lines or reads Parquet metadata)."""
    total = 0
    for file in list_row_files(path):
        if file.suffix == ".parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(file).metadata.num_rows
        else:
            with open(file, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
    return total


def per_domain(timeout: float | None = None, sandbox: str | None = None, letters: str | None = None) -> dict:
    """Options by domain, only those set: a file may mix domains, each verifier takes its own."""
    options: dict[str, dict] = {"math": {}, "code": {}, "choice": {}}
    if timeout is not None:
        options["math"]["timeout"] = options["code"]["timeout"] = timeout
    if sandbox is not None:
        options["code"]["sandbox"] = sandbox
    if letters is not None:
        options["choice"]["letters"] = letters
    return options


def check_one(item: tuple[dict | None, str | None, dict]) -> tuple[str, Any]:
    """('ok', (correct, extracted, reason)) or ('malformed', why). Runs in a worker."""
    from distill.verify import verify_record

    data, error, options = item
    if data is None:
        return "malformed", error
    try:
        verdict = verify_record(data, **options.get(data.get("domain"), {}))
    except SandboxUnavailable:
        raise  # no code row can be checked: stop the run loudly rather than quarantine them all
    except DistillError as exc:
        return "malformed", str(exc)
    except Exception as exc:  # a bug in a (user) verifier: keep the row and say so, finish the run
        return "malformed", f"verifier crashed: {type(exc).__name__}: {exc}"
    return "ok", (verdict.correct, verdict.extracted, verdict.reason)


def _check_chunk(items: list) -> list:
    return [check_one(item) for item in items]


def _chunks(rows: Iterator[Row], options: dict) -> Iterator[list[tuple[Row, tuple]]]:
    chunk: list = []
    for row in rows:
        chunk.append((row, (row.data, row.error, options)))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def verify_file(path: str | Path, out: Path, workers: int = 1, options: dict | None = None, progress=None) -> Counts:
    options = options or {}
    counts = Counts()
    quarantine = quarantine_path(out)
    chunks = _chunks(read_rows(path), options)
    with AtomicJsonlWriter(out) as kept, AtomicJsonlWriter(quarantine) as bad:
        if workers > 1:
            # spawn: safe with threads and CUDA in the parent, and the same on every platform;
            # workers (and their sandboxes) die with us, even on SIGKILL
            with multiprocessing.get_context("spawn").Pool(workers, die_with_parent, (os.getpid(),)) as pool:
                pending = ((chunk, pool.apply_async(_check_chunk, ([item for _, item in chunk],))) for chunk in chunks)
                for chunk, results in _ahead(pending, workers * 4):
                    _write(chunk, results.get(), kept, bad, counts, progress)
        else:
            for chunk in chunks:
                _write(chunk, _check_chunk([item for _, item in chunk]), kept, bad, counts, progress)
    return counts


def _ahead(iterator: Iterator, depth: int) -> Iterator:
    """Keep `depth` tasks in flight while yielding them in input order."""
    window: list = []
    for item in iterator:
        window.append(item)
        if len(window) >= depth:
            yield window.pop(0)
    yield from window


def _write(chunk, results, kept, bad, counts: Counts, progress) -> None:
    for (row, _), (status, value) in zip(chunk, results):
        counts.read += 1
        if status == "ok":
            correct, extracted, reason = value
            kept.write({**row.data, "correct": correct, "extracted": extracted, "reason": reason})
            counts.verified += 1
            counts.correct += bool(correct)
            counts.reasons[reason] += 1
        else:
            counts.malformed += 1
            record = {"source": row.source, "line": row.line, "reason": value}
            record["row" if row.data is not None else "raw"] = row.data if row.data is not None else row.raw
            bad.write(record)
    if progress is not None:
        progress.update(len(chunk))
