"""Parts of `distill filter` measured on their own, for docs/benchmarks/filter.md.

    python benchmarks/bench_filter_parts.py fastpath --data /tmp/distill-bench/traces --rows 10000
    python benchmarks/bench_filter_parts.py dedup-memory --cluster 5000 [--minhash OTHER/minhash.py]
    python benchmarks/bench_filter_parts.py worker --data /tmp/distill-bench/traces --rows 20000 [--profile OUT.prof]
    python benchmarks/bench_filter_parts.py filters --data /tmp/b50k/data --rows 50000 [--repeat 2] [--compare REV]
    python benchmarks/bench_filter_parts.py minhash --data /tmp/distill-bench/traces --rows 3000 [--old OLD.py]
    python benchmarks/bench_filter_parts.py minhash --data /tmp/distill-bench/traces --rows 20000 --in-worker

`fastpath`: the correctness filter over the first ROWS math rows of a traces folder, with the exact
path for radicals, pi, tuples, intervals and sets (verify/normalize.py: exact_value) on and off (off
is the fast path before issue #15: plain integers, decimals and fractions only); prints math-verify
calls, CPU seconds and whether both give the same verdicts. Each setting runs in its own process.
`dedup-memory`: peak Python memory (tracemalloc) of the near-duplicate search over 12 clusters of
CLUSTER near-identical signatures plus as many unrelated ones; `--minhash` loads another version of
distill/filter/minhash.py (e.g. `git show 37681ad:distill/filter/minhash.py > /tmp/old.py`).
`worker`: one filter worker in-process over the first ROWS rows (JSON parse included, as the worker
sees them), with the CPU seconds per step the funnel reports, which answer forms still reach
math-verify (by the reference's form, guessed from its text), and optionally a cProfile dump.
`filters`: CPU microseconds per record of `normalize` and of the decontaminate, format, language and
repetition filters, each run on every one of the first ROWS records (not only on the survivors of
the filters before it); `--compare REV` imports REV's versions of those modules beside this tree's
(from `git archive`), times them on the same records in the same process, interleaved, and says
whether every verdict and reject detail is identical.
`minhash`: CPU microseconds per completion of `minhash.signature` over the first ROWS completions,
the module against the reference it must match bit for bit (the frozen earlier implementation in
tests/filter/test_filter_minhash_identity.py, or `--old`, another minhash.py), timed in turns in one
process (best and median of the rounds); checks the signatures are identical and prints the load
average, since other processes on the machine move both numbers. With `--in-worker`, over ROWS rows
of one filter worker in-process instead: the worker's calls to `minhash.signature` go alternately to
the old and the new code, so that both run where they run in `distill filter` (between the other
filters, whose work empties the caches) under the same load.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fastpath_one(data: Path, rows: int, exact: bool) -> dict:
    import distill.verify.math as verify_math
    import distill.verify.normalize as normalize
    from distill.filter.config import CorrectnessConfig
    from distill.filter.correctness import CorrectnessFilter

    if not exact:
        normalize.exact_value = lambda normalized, polynomials=False: None
    calls, real = [0], verify_math._math_verify

    def counted(*args):
        calls[0] += 1
        return real(*args)

    verify_math._math_verify = counted
    records = []
    for file in sorted(data.glob("*.jsonl")):
        for line in open(file, encoding="utf-8"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("domain") == "math":
                records.append(rec)
            if len(records) >= rows:
                break
        if len(records) >= rows:
            break
    check = CorrectnessFilter(CorrectnessConfig())
    check(records[0])  # math-verify's one-time set-up is not what is compared
    calls[0] = 0
    t0 = time.process_time()
    verdicts = [check(rec) is None for rec in records]
    return {"exact_path": exact, "rows": len(records), "math_verify_calls": calls[0],
            "cpu_seconds": round(time.process_time() - t0, 2), "kept": sum(verdicts), "verdicts": verdicts}


def fastpath(args) -> None:
    results = []
    for exact in (False, True):
        out = subprocess.run([sys.executable, __file__, "_fastpath_one", "--data", args.data, "--rows", str(args.rows)]
                             + (["--exact"] if exact else []), capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for r in results:
        print(f"exact path {'on ' if r['exact_path'] else 'off'}: {r['rows']} math rows, {r['math_verify_calls']} math-verify calls, "
              f"{r['cpu_seconds']} CPU s, kept {r['kept']}")
    print("same verdicts on every row:", results[0]["verdicts"] == results[1]["verdicts"])


def dedup_memory(args) -> None:
    import numpy as np

    path = Path(args.minhash) if args.minhash else ROOT / "distill" / "filter" / "minhash.py"
    spec = importlib.util.spec_from_file_location("minhash_under_test", path)
    minhash = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(minhash)
    rng, n, parts = np.random.default_rng(0), args.cluster, []
    for _ in range(12):
        sigs = np.tile(rng.integers(0, 2**32, size=64, dtype=np.uint32), (n, 1))
        for _ in range(3):  # ~3 of 64 positions differ per member: similarity ~0.95
            sigs[np.arange(n), rng.integers(0, 64, size=n)] = rng.integers(0, 2**32, size=n, dtype=np.uint32)
        parts.append(sigs)
    parts.append(rng.integers(0, 2**32, size=(12 * n, 64), dtype=np.uint32))
    signatures = np.concatenate(parts)[rng.permutation(24 * n)]
    tracemalloc.start()
    t0 = time.process_time()
    dups = minhash.near_duplicates(signatures, 8, 0.8)
    peak = tracemalloc.get_traced_memory()[1]
    print(f"{path}: {len(signatures)} rows, {len(dups)} duplicates found, peak {peak / 2**20:.1f} MB, "
          f"{time.process_time() - t0:.1f} CPU s")


def _form_of(answer: str) -> str:
    """A rough name for a reference's form, for the math-verify call counts."""
    checks = (("interval/tuple", lambda a: a[:1] in "([" and "," in a), ("set", lambda a: a.startswith("\\{")),
              ("pi", lambda a: "\\pi" in a), ("radical", lambda a: "\\sqrt" in a), ("percent", lambda a: "%" in a),
              ("unit", lambda a: "\\text{ " in a or "circ" in a), ("expression", lambda a: "x" in a),
              ("fraction", lambda a: "frac" in a or "/" in a), ("decimal", lambda a: "." in a),
              ("text", lambda a: a.replace("\\text{", "").rstrip("}").isalpha()), ("integer", lambda a: True))
    return next(name for name, test in checks if test(answer))


def worker_profile(args) -> None:
    import cProfile
    import pstats
    import tempfile
    from collections import Counter

    import distill.verify.math as verify_math
    from distill.filter import worker
    from distill.filter.config import FilterConfig, TraceSourceConfig

    calls: Counter = Counter()
    real = verify_math._math_verify

    def counted(answer, extracted, timeout):
        outcome = real(answer, extracted, timeout)
        calls[(_form_of(answer), outcome)] += 1
        if args.show_pairs:
            print(f"math-verify {outcome}: {answer!r} vs {extracted!r}")
        return outcome

    verify_math._math_verify = counted
    data = Path(args.data)
    files = sorted(data.glob("*.jsonl"))
    config = FilterConfig(workers=1)
    from distill.filter import decontaminate
    eval_dir = ROOT.parent / "shared" / "benchmarks"
    if not eval_dir.is_dir():
        eval_dir = ROOT.parents[1] / "shared" / "benchmarks"
    config.decontaminate.eval_dir, config.decontaminate.eval_sets = str(eval_dir), ["aime24", "aime25", "math500"]
    index = decontaminate.Index(decontaminate.load_eval_problems(config.decontaminate), config.decontaminate.ngram)
    source = TraceSourceConfig(path=[str(f) for f in files], name="bench")
    spool = tempfile.mkdtemp(prefix="bench-worker-")
    worker.init(config, [(source, "bench")], index, spool)
    chunk, chunk_id, t_parse = [], 0, 0.0
    profile = cProfile.Profile() if args.profile else None
    t0 = time.process_time()
    for file in files:
        for number, raw in enumerate(open(file, "rb"), start=1):
            t1 = time.process_time()
            try:
                item = (len(chunk), 0, str(file), number, json.loads(raw), None, None)
            except ValueError as exc:
                item = (len(chunk), 0, str(file), number, None, str(exc), raw.decode())
            t_parse += time.process_time() - t1
            chunk.append(item)
            if len(chunk) == config.chunk_size or chunk_id * config.chunk_size + len(chunk) >= args.rows:
                if profile:
                    profile.enable()
                result = worker.process_chunk(chunk_id, chunk)
                if profile:
                    profile.disable()
                chunk_id, chunk = chunk_id + 1, []
                for key, value in result.seconds.items():
                    calls[("seconds", key)] += value
                calls[("verifier calls", "")] += result.verify_calls
                calls[("kept", "")] += sum(r.reason is None for r in result.rows)
            if chunk_id * config.chunk_size >= args.rows:
                break
        if chunk_id * config.chunk_size >= args.rows:
            break
    total = time.process_time() - t0
    print(f"{chunk_id * config.chunk_size} rows, {total:.1f} CPU s (JSON parse {t_parse:.1f} s)")
    for (what, detail), value in sorted(calls.items(), key=lambda kv: str(kv[0])):
        print(f"  {what:16s} {detail:14s} {value:.2f}" if isinstance(value, float) else f"  {what:16s} {detail:14s} {value}")
    if profile:
        profile.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)


FILTER_MODULES = ("distill.filter.decontaminate", "distill.filter.format", "distill.filter.language",
                  "distill.filter.repetition", "distill.filter.record")


def _load_frozen(rev: str) -> dict:
    """The filter modules as they are at git revision REV, imported beside the working tree's: the
    tree is extracted to a temporary folder and imported under the same names, then the working
    tree's modules are put back (each function keeps its own module's globals)."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="bench-frozen-")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "distill"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
    current = {k: v for k, v in sys.modules.items() if k == "distill" or k.startswith("distill.")}
    for key in current:
        del sys.modules[key]
    sys.path.insert(0, folder)
    try:
        frozen = {name: importlib.import_module(name) for name in FILTER_MODULES}
    finally:
        sys.path.remove(folder)
        for key in [k for k in sys.modules if k == "distill" or k.startswith("distill.")]:
            del sys.modules[key]
        sys.modules.update(current)
    return frozen


def _filter_set(mods: dict, index_sets: dict) -> dict:
    """One instance of each record-level filter this benchmark measures, built from `mods`."""
    from distill.filter.config import FilterConfig

    config = FilterConfig()
    dec = mods["distill.filter.decontaminate"]
    return {
        "decontaminate": dec.DecontaminateFilter(dec.Index(index_sets, config.decontaminate.ngram)),
        "format": mods["distill.filter.format"].FormatFilter(config.format),
        "language": mods["distill.filter.language"].LanguageFilter(config.language),
        "repetition": mods["distill.filter.repetition"].RepetitionFilter(config.repetition),
    }


def _read_raw(data: Path, rows: int) -> list:
    out = []
    for file in sorted(data.glob("*.jsonl")):
        for number, line in enumerate(open(file, "rb"), start=1):
            try:
                out.append((file.stem, number, json.loads(line)))
            except ValueError:
                continue  # bad JSON rows are the quarantine's, not the filters'
            if len(out) >= rows:
                return out
    return out


def filters_bench(args) -> None:
    """CPU microseconds per record of each record-level filter (and of `normalize`) over the same
    records, each filter run on every record (not only the survivors of the ones before it), and
    with --compare, the same for REV's code in this process and whether every verdict and reject
    detail is identical."""
    from distill.filter import decontaminate
    from distill.filter.config import DecontaminateConfig, TraceSourceConfig

    current = {name: importlib.import_module(name) for name in FILTER_MODULES}
    versions = {"this tree": current}
    if args.compare:
        versions[args.compare] = _load_frozen(args.compare)
    dconfig = DecontaminateConfig(eval_dir=args.eval_dir, eval_sets=["aime24", "aime25", "math500"])
    index_sets = decontaminate.load_eval_problems(dconfig)
    raw = _read_raw(Path(args.data), args.rows)
    source = TraceSourceConfig(path=args.data, name="bench")
    records = {}
    for label, mods in versions.items():
        norm = mods["distill.filter.record"].normalize
        records[label] = [norm(data, source, "bench", line) for _, line, data in raw]
    # the same records for every version: the working tree's normalize output
    recs = [rec for rec, _ in records["this tree"] if rec is not None]
    sets = {label: _filter_set(mods, index_sets) for label, mods in versions.items()}
    seconds: dict = {label: {} for label in versions}
    verdicts: dict = {label: {} for label in versions}
    for _ in range(args.repeat):  # versions interleaved, so a busy moment hurts both alike
        for label, mods in versions.items():
            norm = mods["distill.filter.record"].normalize
            t0 = time.process_time()
            for _, line, data in raw:
                norm(data, source, "bench", line)
            seconds[label]["normalize"] = seconds[label].get("normalize", 0.0) + time.process_time() - t0
            for name, check in sets[label].items():
                if name == "decontaminate":
                    check._cache.clear()  # each repeat pays for its lookups, as a fresh worker does
                t0 = time.process_time()
                out = [check(rec) for rec in recs]
                seconds[label][name] = seconds[label].get(name, 0.0) + time.process_time() - t0
                verdicts[label][name] = [None if d is None else (d.reason, d.detail) for d in out]
    load = " ".join(f"{x:.2f}" for x in __import__("os").getloadavg())
    print(f"{len(recs)} records ({len(raw)} rows read), {args.repeat} repeat(s), load average {load}")
    labels = list(versions)
    print(f"{'CPU us/record':14s}" + "".join(f"{label:>14s}" for label in labels) + "   rejects")
    for name in ["normalize", *sets["this tree"]]:
        n = len(raw) if name == "normalize" else len(recs)
        cells = "".join(f"{seconds[label][name] / args.repeat / n * 1e6:14.1f}" for label in labels)
        rejected = "" if name == "normalize" else sum(v is not None for v in verdicts["this tree"][name])
        print(f"{name:14s}{cells}   {rejected}")
    if args.compare:
        same = records["this tree"] == records[args.compare]
        print(f"normalize: identical records and reasons: {same}")
        for name in sets["this tree"]:
            a, b = verdicts["this tree"][name], verdicts[args.compare][name]
            diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            first = f" ({len(diff)} differ, first {recs[diff[0]]['id']}: {a[diff[0]]} vs {b[diff[0]]})" if diff else ""
            print(f"{name}: identical verdicts and details: {not diff}{first}")
def _load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def minhash_cpu(args) -> None:
    import numpy as np

    from distill.filter import minhash

    if args.old:
        old = _load_module("minhash_old", Path(args.old)).signature
    else:
        old = _load_module("minhash_identity", ROOT / "tests" / "filter" / "test_filter_minhash_identity.py")
        old = old.reference_signature
    if args.in_worker:
        return minhash_in_worker(args, old)
    texts: list[str] = []
    for file in sorted(Path(args.data).glob("*.jsonl")):
        for line in open(file, encoding="utf-8", errors="replace"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # the data's malformed lines: the filter quarantines them, nothing to sign
            if isinstance(rec, dict) and isinstance(rec.get("completion"), str):
                texts.append(rec["completion"])
            if len(texts) >= args.rows:
                break
        if len(texts) >= args.rows:
            break
    same = all(np.array_equal(old(t), minhash.signature(t)) for t in texts)  # also warms both up
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(args.rounds):  # in turns, so that a burst of load elsewhere hits both
        for name, signature in (("old", old), ("new", minhash.signature)):
            t0 = time.process_time()
            for text in texts:
                signature(text)
            times[name].append((time.process_time() - t0) / len(texts) * 1e6)
    hashed = [len(t[: minhash.MAX_BYTES].encode("utf-8", "replace")[: minhash.MAX_BYTES]) for t in texts]
    print(f"{len(texts)} completions, {sum(hashed) / len(texts):,.0f} bytes hashed on average, {args.rounds} rounds")
    for name in ("old", "new"):
        best, median = min(times[name]), statistics.median(times[name])
        print(f"  {name}: {best:6.1f} CPU us per completion (best of the rounds), {median:6.1f} (median)")
    print(f"  old / new: {min(times['old']) / min(times['new']):.2f}x (best), "
          f"{statistics.median(times['old']) / statistics.median(times['new']):.2f}x (median)")
    print("  identical signatures on every completion:", same)
    load_after = os.getloadavg()
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    print(f"  load average (1, 5, 15 min) before: {before}, after: {after}")


def minhash_in_worker(args, old) -> None:
    from distill.filter import minhash

    new, calls = minhash.signature, [0]
    seconds, chars, count = [0.0, 0.0], [0, 0], [0, 0]

    def alternating(text: str, *rest):
        which = calls[0] % 2  # 0: old, 1: new
        calls[0] += 1
        t0 = time.process_time()
        signature = (old if which == 0 else new)(text, *rest)
        seconds[which] += time.process_time() - t0
        chars[which] += len(text)
        count[which] += 1
        return signature

    minhash.signature = alternating  # the worker looks it up on the module at every call
    load_before = os.getloadavg()
    try:
        worker_profile(argparse.Namespace(data=args.data, rows=args.rows, profile=None, show_pairs=False))
    finally:
        minhash.signature = new
    load_after = os.getloadavg()
    for which, name in ((0, "old"), (1, "new")):
        print(f"{name}: {count[which]} calls, {seconds[which] / count[which] * 1e6:.0f} CPU us per call, "
              f"{chars[which] / count[which]:,.0f} characters per call")
    per_char = (seconds[0] / chars[0]) / (seconds[1] / chars[1])
    print(f"old / new, CPU per character signed: {per_char:.2f}x")
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    print(f"load average (1, 5, 15 min) before: {before}, after: {after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("fastpath", "_fastpath_one"):
        p = sub.add_parser(name)
        p.add_argument("--data", default="/tmp/distill-bench/traces")
        p.add_argument("--rows", type=int, default=10_000)
        p.add_argument("--exact", action="store_true")
    p = sub.add_parser("worker")
    p.add_argument("--data", default="/tmp/distill-bench/traces")
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--profile", default=None, help="write a cProfile dump here and print the top entries")
    p.add_argument("--show-pairs", action="store_true", help="print every pair that reaches math-verify")
    p = sub.add_parser("minhash")
    p.add_argument("--data", default="/tmp/distill-bench/traces")
    p.add_argument("--rows", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--old", default=None, help="another minhash.py to time instead of the test's reference")
    p.add_argument("--in-worker", action="store_true", help="time the worker's own calls, old and new in turns")
    p = sub.add_parser("dedup-memory")
    p.add_argument("--cluster", type=int, default=5000)
    p.add_argument("--minhash", default=None)
    p = sub.add_parser("filters", help="CPU us per record of each record-level filter; --compare REV checks verdicts")
    p.add_argument("--data", default="/tmp/b50k/data")
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--compare", default=None, help="a git revision: its filters run beside this tree's")
    p.add_argument("--eval-dir", default="/work/shared/benchmarks")
    args = parser.parse_args()
    if args.what == "_fastpath_one":
        print(json.dumps(fastpath_one(Path(args.data), args.rows, args.exact)))
    elif args.what == "worker":
        worker_profile(args)
    elif args.what == "filters":
        filters_bench(args)
    elif args.what == "minhash":
        minhash_cpu(args)
    elif args.what == "fastpath":
        fastpath(args)
    else:
        dedup_memory(args)


if __name__ == "__main__":
    main()
