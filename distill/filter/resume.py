"""Continuing a filter run that a crash (SIGKILL, power loss, full disk) stopped, from its spool.

The spool (`OUT/.spool`) holds `run.json`: what its work depends on (every input file with its size
and modification time, the filter config except `workers`, the decontamination index size). A run
whose fingerprint matches an existing spool continues it: pass 1 skips every chunk a meta file
commits (spool.py), pass 2 every shard group a done marker commits (writer.py); the dataset-level
steps in between are recomputed from the ledger (deterministic, seconds). The output is the one an
uninterrupted run writes. Any other spool is discarded, and so are the outputs of an earlier run
(shards, rejects, quarantine, funnel, card): a rerun replaces them, never mixes old and new.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from distill.manifest import write_json_atomic
from distill.records import list_row_files

SPOOL_VERSION = 2
RUN = "run.json"
OUTPUTS = ("rejects.jsonl", "quarantine.jsonl", "funnel.json", "funnel.md", "README.md")


def fingerprint(config, sources, eval_index) -> dict[str, Any]:
    files = []
    for source, name in sources:
        for path in source.paths:
            for file in list_row_files(path):
                stat = file.stat()
                files.append([name, str(file.resolve()), stat.st_size, stat.st_mtime_ns])
    settings = {k: v for k, v in dataclasses.asdict(config).items() if k not in ("workers", "output_dir")}
    return {
        "version": SPOOL_VERSION,
        "inputs": files,
        "config": json.loads(json.dumps(settings, sort_keys=True, default=str)),
        "eval_index": len(eval_index) if eval_index is not None else None,
    }


def resumable(spool: Path, wanted: dict[str, Any]) -> bool:
    try:
        return json.loads((spool / RUN).read_text(encoding="utf-8")) == wanted
    except (OSError, ValueError):
        return False


def done_chunks(spool: Path) -> set[int]:
    return {int(p.stem.split("-")[1]) for p in spool.glob("meta-*.arrow")}


def remove_outputs(out: Path) -> None:
    """The outputs of an earlier run, before a new one writes its own (also frees their space)."""
    data = out / "data"
    if data.is_dir():
        for path in {*data.glob("*.parquet"), *data.glob(".tmp-*"), *data.glob("*.part")}:  # a set: names match twice
            path.unlink(missing_ok=True)
    for name in OUTPUTS + (".rejects.jsonl.tmp", "quarantine.jsonl.tmp"):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "figures", ignore_errors=True)


def start(out: Path, wanted: dict[str, Any]) -> tuple[Path, bool]:
    """(spool dir, whether an earlier run's work is taken over). A fresh start empties the spool and
    removes earlier outputs; `run.json` is written before any work, so the spool is always labelled."""
    spool = out / ".spool"
    if resumable(spool, wanted):
        return spool, True
    shutil.rmtree(spool, ignore_errors=True)
    remove_outputs(out)
    spool.mkdir(parents=True)
    write_json_atomic(spool / RUN, wanted)
    return spool, False


def spool_bytes(spool: Path) -> int:
    return sum(p.stat().st_size for p in spool.glob("*") if p.is_file()) if spool.is_dir() else 0


def crash_point(moment: str, count: int) -> None:
    """Fault injection for the kill-and-rerun tests: DISTILL_FILTER_KILL_AT=moment:n SIGKILLs this
    process when `moment` (pass1, pass2, rename, end) has happened n times. No effect otherwise."""
    import os

    at = os.environ.get("DISTILL_FILTER_KILL_AT")
    if at and at == f"{moment}:{count}":
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
