"""`distill filter` end to end: two streaming passes over the inputs.

Pass 1 reads every row, sends chunks to the workers for the record-level filters, and books each
row's fate in the Ledger (metadata only); malformed rows go to quarantine.jsonl; the workers spool
survivors and rejects to disk (spool.py). Then the dataset-level steps run on the ledger: dedup,
per-prompt selection, mixture quotas. Pass 2 streams the spool once: kept rows to Parquet shards
under data/, rejected rows to rejects.jsonl with their reason. kept + rejected + malformed = read
is asserted at the end. A run killed in either pass continues on the rerun from what the spool
holds (resume.py); the disk space a run needs is checked before it starts, and a disk fault is one
line naming the path (diskspace.py).
"""

from __future__ import annotations

import dataclasses
import json
import resource
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distill.core.domains import DOMAINS
from distill.errors import DistillError
from distill.filter import card, dedup, diskspace, funnel, mixture, plots, record, resume, selection, worker, writer
from distill.filter.config import FilterConfig, TraceSourceConfig
from distill.filter.ledger import KEPT, MALFORMED, Ledger
from distill.filter.pool import Workers, default_workers
from distill.filter.rejects_file import RejectsFile
from distill.generate.shards import SHARD_DIR, output_shards
from distill.progress import Progress
from distill.records import AtomicJsonlWriter, read_rows


def resolve_sources(config: FilterConfig, generate_dir: Path) -> list[tuple[TraceSourceConfig, str]]:
    """(source, name) pairs, each source's `path` the list of what is read. The default source is the
    generate stage's trace shards; a source path that is a generate output reads its shards too."""
    sources = config.sources
    if not sources:
        # The recipe says this folder is generate's, so its shards/ is taken without asking the
        # folder (a user's hand-made folder without a manifest included).
        shards = generate_dir / SHARD_DIR
        sources = [TraceSourceConfig(path=str(shards if shards.is_dir() else generate_dir), name="generate")]
    out = []
    for source in sources:
        for path in source.paths:
            if not Path(path).exists():
                raise DistillError(f"filter source {source.name or path!r}: input {path} does not exist")
        name = source.name or Path(source.paths[0]).stem
        out.append((dataclasses.replace(source, path=[_trace_path(path, name) for path in source.paths]), name))
    return out


def _trace_path(path: str, name: str) -> str:
    """A generate output's shards/ (its manifest, generation.json, merged.json and index files are not
    traces, and would be quarantined as malformed rows); any other path as given."""
    shards = output_shards(path)
    if shards is None:
        return path
    print(
        f"distill filter: source {name!r}: {path} is a generate output: reading its shards ({shards})", file=sys.stderr
    )
    return str(shards)


def iter_rows(sources: list[tuple[TraceSourceConfig, str]]) -> Iterator[tuple[int, Any]]:
    """(source index, Row) for every row of every source, in a fixed order that both passes share."""
    for s, (source, name) in enumerate(sources):
        # record.expand: a published layout's row becomes the traces it holds (distill/formats/)
        rows = (row for path in source.paths for row in read_rows(path, lazy=True))
        for row in record.expand(source, name, rows):
            yield s, row


def chunks(sources, size: int) -> Iterator[list[tuple]]:
    chunk = []
    for index, (s, row) in enumerate(iter_rows(sources)):
        chunk.append((index, s, row.source, row.line, row.data, row.error, row.raw, row.unparsed))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def pass_one(
    config: FilterConfig, sources, eval_index, ledger: Ledger, out: Path, spool_dir: Path, rejects: RejectsFile
) -> dict[str, Any]:
    seconds: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    calls, n_chunks = 0, 0
    t0 = time.perf_counter()
    n_workers = config.workers or default_workers()
    done = resume.done_chunks(spool_dir)
    if done:
        print(
            f"distill filter: continuing an interrupted run: {len(done)} chunks of pass 1 are in {spool_dir}",
            file=sys.stderr,
        )
    workers = Workers(n_workers, (config, sources, eval_index, str(spool_dir)))
    with (
        AtomicJsonlWriter(out / "quarantine.jsonl") as quarantine,
        Progress(None, "filter pass 1 (record filters)", "rows") as bar,
    ):
        try:
            load = lambda i: worker.load_chunk(str(spool_dir), i)  # noqa: E731
            for result in workers.map(chunks(sources, config.chunk_size), done, load):
                for row in result.rows:
                    ledger.add(row)
                    if row.reason == "malformed":
                        assert row.detail is not None  # its quarantine entry
                        quarantine.write(json.loads(row.detail))
                seconds.update(result.seconds)
                seen.update(result.seen)
                calls += result.verify_calls
                rejects.append_chunk(spool_dir, n_chunks)  # in order, while the workers go on
                n_chunks += 1
                bar.update(len(result.rows))
                resume.crash_point("pass1", n_chunks)
        except BaseException:
            workers.terminate()
            raise
        workers.close()
    # The ledger keeps a short reason for malformed rows; the full entry is in quarantine.jsonl.
    for index, detail in ledger.detail.items():
        if ledger.code[index] == MALFORMED and detail.startswith("{"):
            ledger.detail[index] = json.loads(detail)["reason"]
    timing: dict[str, float] = dict(seconds)
    timing["pass1_wall"] = time.perf_counter() - t0
    timing["parent_cpu"] = _cpu(resource.RUSAGE_SELF)
    timing["workers_cpu"] = _cpu(resource.RUSAGE_CHILDREN) if workers.pool is not None else 0.0
    return {"seconds": timing, "seen": dict(seen), "verify_calls": calls, "workers": n_workers, "chunks": n_chunks}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def dataset_level(config: FilterConfig, ledger: Ledger, sources, seed: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    dedup_counts = dedup.run(ledger, config.dedup)
    t1 = time.perf_counter()
    selection.run(ledger, config.selection, seed)
    t2 = time.perf_counter()
    quotas = {name: source.quota for source, name in sources}
    _, shortfalls = mixture.run(ledger, config, quotas, seed)
    t3 = time.perf_counter()
    for s in shortfalls:
        print(
            f"distill filter: WARNING: quota shortfall: source {s['source']!r} has {s['available']} rows "
            f"for a quota of {s['quota']} ({s['missing']} missing)",
            file=sys.stderr,
        )
    return {
        "dedup": dedup_counts,
        "shortfalls": shortfalls,
        "seconds": {"dedup": t1 - t0, "selection": t2 - t1, "mixture_quota": t3 - t2},
    }


def pass_two(
    config: FilterConfig,
    ledger: Ledger,
    out: Path,
    spool_dir: Path,
    n_chunks: int,
    n_workers: int,
    rejects: RejectsFile,
) -> dict[str, Any]:
    """Route spooled records, in parallel by shard (writer.py): still kept -> data/ shards; rejected
    by a dataset-level step -> rejects.jsonl, after the record-level rejects pass 1 appended."""
    import multiprocessing

    import numpy as np

    t0 = time.perf_counter()
    codes = np.frombuffer(ledger.code, dtype=np.int8)
    plan = writer.groups(codes, n_chunks, config.chunk_size, config.shard_rows)
    details = {i: ledger.detail[i] for i in ledger.survivor_rows if ledger.code[i] != KEPT}
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    # Earlier runs' outputs went at the start (resume.start); what is here is this run's: committed
    # groups are kept, half-written shards go.
    for part in data.glob(".tmp-*.part"):
        part.unlink()
    committed = sum(writer.done_path(spool_dir, g).is_file() for g in range(len(plan)))
    if committed:
        print(
            f"distill filter: continuing an interrupted run: {committed} of {len(plan)} shard groups "
            "of pass 2 are written",
            file=sys.stderr,
        )
    init_args = (config, ledger.code.tobytes(), details, str(spool_dir), str(data))
    kept_n, rejected_n = 0, 0
    teachers: Counter[str] = Counter()
    kept_per_group: list[int] = []
    results: Iterator[tuple[int, int, Counter]]
    pool = None
    try:
        with Progress(len(plan), "filter pass 2 (write shards)", "shards") as bar:
            if n_workers <= 1 or len(plan) <= 1:
                writer.init(*init_args)
                results = (writer.write_group(g, chunks) for g, chunks in enumerate(plan))
            else:
                pool = multiprocessing.get_context("spawn").Pool(min(n_workers, len(plan)), writer.init, init_args)
                results = pool.imap(writer.write_group_args, list(enumerate(plan)), chunksize=1)
            for k, r, t in results:
                kept_n, rejected_n = kept_n + k, rejected_n + r
                kept_per_group.append(k)
                teachers.update(t)
                bar.update(1)
                resume.crash_point("pass2", len(kept_per_group))
        written_rejects = rejected_n + rejects.commit([writer.rejects_path(spool_dir, g) for g in range(len(plan))])
        files = writer.name_shards(data, kept_per_group, on_rename=lambda i: resume.crash_point("rename", i))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return {
        "shards": [str(f.relative_to(out)) for f in files],
        "kept_written": kept_n,
        "rejects_written": written_rejects,
        "teachers": sorted(teachers),
        "seconds": time.perf_counter() - t0,
    }


def run(config: FilterConfig, *, out: Path, generate_dir: Path, seed: int, stage=None) -> dict[str, Any]:
    """Filter; returns the funnel. `stage` (a StageRun) receives counts for the manifest."""
    spool_dir = out / ".spool"
    try:
        return _run(config, out=out, generate_dir=generate_dir, seed=seed, stage=stage)
    except OSError as exc:
        error = diskspace.fault(exc, spool_dir)
        if error is None:
            raise
        diskspace.remove_partial(out, spool_dir)
        raise error from None


def _run(config: FilterConfig, *, out: Path, generate_dir: Path, seed: int, stage=None) -> dict[str, Any]:
    from distill.filter import decontaminate

    t_start = time.perf_counter()
    sources = resolve_sources(config, generate_dir)
    eval_index = None
    if config.decontaminate.enabled:
        eval_index = decontaminate.Index(
            decontaminate.load_eval_problems(config.decontaminate), config.decontaminate.ngram
        )
        print(
            f"distill filter: decontamination index: {len(eval_index)} {config.decontaminate.ngram}-grams",
            file=sys.stderr,
        )
    ledger = Ledger([name for _, name in sources], list(DOMAINS))
    wanted = resume.fingerprint(config, sources, eval_index)
    spool_dir = out / ".spool"
    out.mkdir(parents=True, exist_ok=True)
    need = diskspace.needed(sources, config.rejects_full)
    if resume.resumable(spool_dir, wanted):
        diskspace.check(out, need - resume.spool_bytes(spool_dir), 0)
    else:
        diskspace.check(out, need, diskspace.used_by(out, spool_dir))
    spool_dir, _ = resume.start(out, wanted)
    rejects = RejectsFile(out)
    try:
        one = pass_one(config, sources, eval_index, ledger, out, spool_dir, rejects)
        level = dataset_level(config, ledger, sources, seed)
        ledger.drop_signatures()
        two = pass_two(config, ledger, out, spool_dir, one["chunks"], one["workers"], rejects)
    except BaseException:
        rejects.abort()
        raise
    seconds = {**one["seconds"], **level["seconds"], "pass2_wall": two["seconds"]}
    result = funnel.build(
        ledger,
        shortfalls=level["shortfalls"],
        dedup=level["dedup"],
        seconds=seconds,
        seen=one["seen"],
        wall=time.perf_counter() - t_start,
        verify_calls=one["verify_calls"],
    )
    result["workers"] = one["workers"]
    result["shards"] = two["shards"]
    counts = result
    assert two["kept_written"] == counts["kept"], "kept rows written != kept rows booked"
    assert two["rejects_written"] == counts["rejected"], "rejected rows written != rejected rows booked"
    funnel.write(out, result)
    figures = plots.write(out, ledger, result) if config.plots else []
    card.write(out, result, figures, two["teachers"], ledger.source_names)
    resume.crash_point("end", 1)
    shutil.rmtree(spool_dir, ignore_errors=True)  # last: until every output is written, a rerun continues from it
    if stage is not None:
        stage.counts.update(
            read=result["read"],
            kept=result["kept"],
            rejected=result["rejected"],
            malformed=result["malformed"],
            rejected_by_reason=result["rejected_by_reason"],
        )
        stage.extra["quota_shortfall"] = result["quota_shortfall"]
    print(
        f"distill filter: read {result['read']} = kept {result['kept']} + rejected {result['rejected']} + "
        f"malformed {result['malformed']} | {result['rows_per_second']} rows/s | {out}",
        file=sys.stderr,
    )
    if result["quota_shortfall"] and config.strict:
        worst = result["quota_shortfall"][0]
        raise DistillError(
            f"quota shortfall (strict): source {worst['source']!r} has {worst['available']} of {worst['quota']} rows; "
            f"outputs are written in {out}, see funnel.md"
        )
    return result
