"""How many requests/s the `openai` engine's client sustains against a trivial local server.

    python benchmarks/bench_generate_client.py [--requests 20000] [--concurrency 128] [--pin]

The server (tests/generate/openai_server.py: raw asyncio HTTP, uvloop when installed) runs in its own
process; with --pin it is pinned to CPU 1 and the client to CPU 0, so each has one core of a 2-core box.
Prints requests/s of the engine alone (OpenAIEngine.stream) and of a whole `distill generate` run
(prompting, records, atomic shards, manifest). Target: >= 2,000 requests/s, so the client is never
the bottleneck (a real teacher serves far fewer requests/s than that).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "generate" / "openai_server.py"


def start_server(pin: bool) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, str(SERVER), "--port", "0"]
    if pin:
        cmd = ["taskset", "-c", "1", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}/v1"


def bench_engine(url: str, requests: int, concurrency: int) -> dict:
    from distill.generate.config import OpenAIConfig
    from distill.generate.engine import Request, Sampling
    from distill.generate.openai import OpenAIEngine

    engine = OpenAIEngine(OpenAIConfig(base_url=url, concurrency=concurrency), model="bench")
    batch = [Request(f"problem {i}: what is {i} + {i}?", 1, seed=i) for i in range(requests)]
    engine.run(batch[:500], Sampling(n=1, max_new_tokens=8))  # warm up connections
    t0 = time.perf_counter()
    done = sum(1 for _ in engine.stream(batch, Sampling(n=1, max_new_tokens=8), 0))
    wall = time.perf_counter() - t0
    assert done == requests and engine.usage["failed_requests"] == 0
    return {"requests": requests, "concurrency": concurrency, "wall_s": round(wall, 2), "requests_per_s": round(requests / wall)}


def bench_cli(url: str, requests: int, concurrency: int) -> dict:
    import yaml

    from distill.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        recipe = Path(tmp) / "r.yaml"
        rows = Path(tmp) / "p.jsonl"
        rows.write_text("".join(json.dumps({"problem": f"problem {i}: what is {i} + {i}?", "answer": str(2 * i)}) + "\n" for i in range(requests)))
        recipe.write_text(yaml.safe_dump({"seed": 0, "output_dir": f"{tmp}/run", "generate": {
            "teacher": "bench", "engine": "openai", "num_samples": 1, "chunk_size": 1000,
            "prompting": {"chat_template": False}, "source": {"kind": "files", "name": str(rows)},
            "sampling": {"max_new_tokens": 8}, "openai": {"base_url": url, "concurrency": concurrency}}}))
        t0 = time.perf_counter()
        assert main(["generate", str(recipe)]) == 0
        wall = time.perf_counter() - t0
        counts = json.loads((Path(tmp) / "run" / "generate" / "manifest.json").read_text())["counts"]
    return {"requests": requests, "wall_s": round(wall, 2), "requests_per_s_incl_startup": round(requests / wall),
            "requests_per_s_generation": round(counts["this_run"]["samples_per_second"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--pin", action="store_true", help="server on CPU 1, client on CPU 0")
    args = parser.parse_args()
    if args.pin:
        os.sched_setaffinity(0, {0})
    proc, url = start_server(args.pin)
    try:
        engine = bench_engine(url, args.requests, args.concurrency)
        print(json.dumps({"engine_only": engine}))
        cli = bench_cli(url, args.requests, args.concurrency)
        print(json.dumps({"distill_generate": cli}))
    finally:
        proc.kill()
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
