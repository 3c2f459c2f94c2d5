"""Two parts of `distill filter` measured on their own, for docs/benchmarks/filter.md.

    python benchmarks/bench_filter_parts.py fastpath --data /tmp/distill-bench/traces --rows 10000
    python benchmarks/bench_filter_parts.py dedup-memory --cluster 5000 [--minhash OTHER/minhash.py]

`fastpath`: the correctness filter over the first ROWS math rows of a traces folder, with the exact
path for radicals, pi, tuples, intervals and sets (verify/normalize.py: exact_value) on and off (off
is the fast path before issue #15: plain integers, decimals and fractions only); prints math-verify
calls, CPU seconds and whether both give the same verdicts. Each setting runs in its own process.
`dedup-memory`: peak Python memory (tracemalloc) of the near-duplicate search over 12 clusters of
CLUSTER near-identical signatures plus as many unrelated ones; `--minhash` loads another version of
distill/filter/minhash.py (e.g. `git show 37681ad:distill/filter/minhash.py > /tmp/old.py`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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
        normalize.exact_value = lambda normalized: None
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("fastpath", "_fastpath_one"):
        p = sub.add_parser(name)
        p.add_argument("--data", default="/tmp/distill-bench/traces")
        p.add_argument("--rows", type=int, default=10_000)
        p.add_argument("--exact", action="store_true")
    p = sub.add_parser("dedup-memory")
    p.add_argument("--cluster", type=int, default=5000)
    p.add_argument("--minhash", default=None)
    args = parser.parse_args()
    if args.what == "_fastpath_one":
        print(json.dumps(fastpath_one(Path(args.data), args.rows, args.exact)))
    elif args.what == "fastpath":
        fastpath(args)
    else:
        dedup_memory(args)


if __name__ == "__main__":
    main()
