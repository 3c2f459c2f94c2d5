"""Throughput and memory of `distill filter` on synthetic R1-like traces.

    python benchmarks/bench_filter.py --n 800000 --workers 2          # the 800K target: <= 10x one JSON-parse pass, < 2 GB
    python benchmarks/bench_filter.py --n 50000                       # a quick look
    python benchmarks/bench_filter.py --n 800000 --simple             # the older, easier data (boxed integers)

Generates traces with benchmarks/synthetic_traces.py (not timed; reused when already there): by
default the realistic data (answer_forms.py: fractions, radicals, pi, intervals, tuples, sets,
decimals, percentages, units, text, expressions, correct samples in other but equivalent forms;
large near-duplicate clusters). Then times one single-core pass that parses every line as JSON
(the yardstick the target is a ratio to), runs `distill filter` on the same files in a subprocess
with every filter on (verification with the shared verifier, decontamination against local eval
copies when a shared/benchmarks folder is found), samples the resident memory of the whole process
tree (parent + workers) twice a second, and prints rows/s, the ratio to the parse pass, peak memory
and where the time went (CPU seconds per filter from funnel.json). Results also go to OUT/bench.json.
The parse pass's system time is reported too: an input larger than the page cache is read from disk
by the parse pass and by the filter alike, which slows the yardstick more than the filter; the
ratio to a warm parse pass (the first GiB parsed twice, scaled to the input's size) is the stricter
figure, the one a machine whose page cache holds the whole input would measure.
The machine's load average is recorded: on a shared machine, figures are lower bounds. CPU seconds
are recorded too (the parse pass's, and the filter's over all its processes): on a loaded machine
the wall-time ratio says little, and filter CPU / CPUs / parse CPU estimates the idle-machine ratio
(it assumes the filter keeps every CPU busy, so the idle ratio is at least that).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synthetic_traces  # noqa: E402

# Local copies of AIME/MATH-500 for decontamination: next to the checkout (../shared), or the
# workspace's shared folder for a checkout in a worktree (../../shared).
EVAL_DIR = next((p for p in (HERE.parents[1] / "shared" / "benchmarks", HERE.parents[2] / "shared" / "benchmarks") if p.is_dir()),
                HERE.parents[1] / "shared" / "benchmarks")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def generate(data: Path, n: int, files: int, realistic: bool = True) -> float:
    stamp, want = data / "BENCH_N", f"{n} {'realistic' if realistic else 'simple'}"
    if stamp.is_file() and stamp.read_text().strip() == want:
        return 0.0
    t0 = time.time()
    for old in data.glob("*.jsonl"):
        old.unlink()
    synthetic_traces.write(data, n, files=files, seed=0, eval_dir=str(EVAL_DIR) if EVAL_DIR.is_dir() else None, realistic=realistic)
    stamp.write_text(want)
    return time.time() - t0


def _parse_lines(files: list[Path], limit: int | None = None) -> int:
    """Parse every line of `files` as JSON (up to `limit` bytes in all); the bytes read."""
    read = 0
    for file in files:
        with open(file, "rb") as handle:
            for line in handle:
                read += len(line)
                try:
                    json.loads(line)
                except ValueError:
                    pass
                if limit is not None and read >= limit:
                    return read
    return read


def parse_pass(data: Path) -> tuple[float, float, float]:
    """(wall, CPU, of it system CPU) seconds of one single-core pass that reads every line and parses it
    as JSON: the yardstick the targets are set against (a filter cannot be faster than reading its
    input once). System time is mostly the kernel reading the file from disk: a file larger than the
    page cache keeps is read from disk both here and by the filter."""
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    _parse_lines(sorted(data.glob("*.jsonl")))
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    system = r1.ru_stime - r0.ru_stime
    return time.perf_counter() - t0, r1.ru_utime - r0.ru_utime + system, system


def warm_parse_estimate(data: Path, sample: int = 1 << 30) -> float:
    """Seconds one parse pass would take if the whole input were in the page cache: the first
    `sample` bytes parsed twice (the second time from the cache), scaled to the input's size. The
    stricter yardstick: on a machine whose page cache holds the input, the parse pass is this fast,
    while the filter's own CPU work is not."""
    files = sorted(data.glob("*.jsonl"))
    _parse_lines(files, sample)
    t0 = time.perf_counter()
    read = _parse_lines(files, sample)
    return (time.perf_counter() - t0) * sum(f.stat().st_size for f in files) / read


def run_filter(data: Path, out: Path, workers: int, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "distill", "filter", "--input", str(data), "--output", str(out), "--workers", str(workers)]
    if EVAL_DIR.is_dir():
        cmd += ["--set", f"filter.decontaminate.eval_dir={EVAL_DIR}", "--set", "filter.decontaminate.eval_sets=[aime24,aime25,math500]"]
    cmd += extra
    load_before = os.getloadavg()[0]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    out.mkdir(parents=True, exist_ok=True)
    log = out.parent / "bench_filter.log"  # progress lines; a file, so a long run never blocks on a full pipe
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stderr=err, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.5)
    wall = time.time() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the filter and its workers, all waited for
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    if proc.returncode:
        raise SystemExit(f"distill filter failed ({proc.returncode}), see {log}:\n{log.read_text()[-3000:]}")
    funnel = json.loads((out / "funnel.json").read_text())
    return {"wall_seconds": round(wall, 1), "rows": funnel["read"], "rows_per_second": round(funnel["read"] / wall, 1),
            "cpu_seconds": round(cpu, 1), "peak_rss_gb": round(peak / 2**30, 2), "load_before": load_before, "load_after": os.getloadavg()[0],
            "cpus": len(os.sched_getaffinity(0)), "workers": workers, "funnel": funnel}


def report(result: dict) -> str:
    f = result["funnel"]
    s = f["seconds"]
    lines = [f"rows {result['rows']} | wall {result['wall_seconds']} s | {result['rows_per_second']} rows/s | "
             f"peak RSS (all processes) {result['peak_rss_gb']} GB | workers {result['workers']} on {result['cpus']} CPUs | "
             f"load average {result['load_before']:.1f} -> {result['load_after']:.1f}",
             f"one single-core JSON-parse pass over the same files: {result['json_parse_seconds']} s; "
             f"filter / parse = {result['ratio_to_parse']}x (target <= 10x); "
             f"of the parse pass, {result['json_parse_system_seconds']} s system time (reading the files from disk)",
             f"the same pass with the files in the page cache (estimated from the first GiB parsed twice): "
             f"{result['json_parse_warm_seconds']} s; filter / warm parse = {result['ratio_to_warm_parse']}x",
             f"CPU seconds (robust to load): filter, all processes {result['cpu_seconds']} s; parse pass {result['json_parse_cpu_seconds']} s; "
             f"filter CPU / {result['cpus']} CPUs / parse CPU = {result['cpu_ratio_to_parse']}x (an idle-machine estimate of the ratio)",
             f"kept {f['kept']}, rejected {f['rejected']}, malformed {f['malformed']}; verifier calls {f['verify_calls']}", "",
             "| step | rejected | CPU s (workers, summed) |", "|---|---:|---:|"]
    lines.append(f"| parse + map columns | | {s.get('read', 0)} |")
    for step in f["steps"]:
        lines.append(f"| {step['filter']} | {step['rejected']} | {s.get(step['filter'], '')} |")
    lines += [f"| MinHash signatures + hashes | | {s.get('signatures', 0)} |", f"| spool writes | | {s.get('spool', 0)} |", "",
              f"CPU: parent (read, dispatch, ledger) {s.get('parent_cpu', 0):.1f} s, workers {s.get('workers_cpu', 0):.1f} s", "",
              f"wall: pass 1 {s.get('pass1_wall', 0):.1f} s, dedup {s.get('dedup', 0):.1f} s, selection {s.get('selection', 0):.1f} s, "
              f"mixture {s.get('mixture_quota', 0):.1f} s, pass 2 (write) {s.get('pass2_wall', 0):.1f} s"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--data", default="/tmp/distill-bench/traces")
    parser.add_argument("--out", default="/tmp/distill-bench/out")
    parser.add_argument("--simple", action="store_true", help="the older, easier data (boxed integers, distinct problems)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    data, out = Path(args.data), Path(args.out)
    gen = generate(data, args.n, args.files, realistic=not args.simple)
    if gen:
        print(f"generated {args.n} traces in {gen:.0f} s ({sum(p.stat().st_size for p in data.glob('*.jsonl')) / 2**30:.1f} GB)")
    extra = [x for o in args.overrides for x in ("--set", o)]
    parse, parse_cpu, parse_sys = parse_pass(data)
    warm = warm_parse_estimate(data)
    result = run_filter(data, out, args.workers, extra)
    result["json_parse_seconds"], result["json_parse_cpu_seconds"] = round(parse, 1), round(parse_cpu, 1)
    result["json_parse_system_seconds"], result["json_parse_warm_seconds"] = round(parse_sys, 1), round(warm, 1)
    result["ratio_to_parse"] = round(result["wall_seconds"] / parse, 2)
    result["ratio_to_warm_parse"] = round(result["wall_seconds"] / warm, 2)
    result["cpu_ratio_to_parse"] = round(result["cpu_seconds"] / min(result["cpus"], args.workers + 1) / parse_cpu, 2)
    (out / "bench.json").write_text(json.dumps(result, indent=2))
    print(report(result))


if __name__ == "__main__":
    main()
