"""SFT throughput: distill against TRL's SFTTrainer with its defaults and with its best documented settings.

Same model shape (random init, seeded), same traces, same device, in one process; the configurations
run interleaved (A B C A B C ... for --repeats rounds) so a machine shared with other jobs disturbs
them alike, and each ratio is taken inside one round:

  trl-defaults  SFTTrainer(model, SFTConfig(max_length=L)) on the `messages` column: no packing,
                batches of 8 padded to their longest trace, gradient checkpointing on (TRL's default),
                the model's default attention (sdpa), loss on every token.
  trl-best      what TRL's docs recommend for speed: packing=True with the "bfd" strategy (which turns
                on padding_free), gradient_checkpointing=False (memory allows it here),
                use_liger_kernel=True where liger-kernel is installed (GPU), the best attention
                installed: flash_attention_2 with flash-attn, else the model's default sdpa (TRL's
                other documented route, Hub kernels, needs the Hub). Same rows per step as distill.
  distill       `distill train-student` (run_sft): traces packed into rows of L tokens with per-trace
                position_ids, attention chosen by distill (flash_attention_2 / flex_attention with a
                static padded shape / sdpa on CPU), gradient checkpointing only when the memory plan
                needs it, liger on GPU when installed, loss on assistant tokens.

Throughput is real (non-padding) trace tokens per second of training, over the steps after the first
`--warmup-steps` ("steady": compilation and allocator warm-up excluded), plus the whole-run figure.
On a CPU it also reports tokens per CPU-second of the process (all its threads): on a machine shared
with other jobs that counts the work each configuration needs rather than how long it waited for a
core, so its ratios are the steadier ones there.
MFU is 6 x params x tokens/s over the device's peak: dense bf16 from the datasheet on a GPU; on a CPU
the fp32 matmul rate measured at the start of the run (so it reads "fraction of what this CPU's
matmul reaches", not a datasheet figure). Peak memory: CUDA max_memory_allocated per run on a GPU;
on a CPU the process's peak resident set during the run (sampled every 20 ms).

    python benchmarks/bench_sft.py --device cpu --traces 64 --repeats 4   # tiny model; minutes idle, 30 min when shared
    python benchmarks/bench_sft.py --device cuda --shape qwen2.5-1.5b     # H100/H200: Qwen2.5-1.5B shape, 4K packed

Writes a JSON summary to --out (default runs/bench_sft/<shape>-<device>.json) and prints one table.
`benchmarks/gpu_check.py` calls `prepare` and `run_interleaved` from here.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

SHAPES = {
    # hidden, layers, heads, kv_heads, intermediate, vocab, tied
    "tiny": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4,
                 intermediate_size=512, vocab_size=None, tie_word_embeddings=True),
    "qwen2.5-1.5b": dict(hidden_size=1536, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2,
                         intermediate_size=8960, vocab_size=151936, tie_word_embeddings=True),
}
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}
CONFIGS = ("trl-defaults", "trl-best", "distill")


def synthetic_traces(n: int, mean_tokens: int, max_tokens: int, seed: int = 0) -> list[dict]:
    """R1-format conversations with a long-tailed (log-normal) reasoning length, like real traces."""
    from distill.toy.tasks import make_problems

    rng = random.Random(seed)
    problems = make_problems("arithmetic", "train", min(n, 400), seed=seed, difficulty=2)
    rows = []
    for i in range(n):
        p = problems[i % len(problems)]
        # ~24 tokens per reasoning line with the toy tokenizer; capped so no trace exceeds max_tokens
        # (distill drops over-long traces, TRL truncates them: both must see the same tokens)
        lines = max(1, min(int(rng.lognormvariate(math.log(mean_tokens / 24), 0.8)), (max_tokens - 80) // 26))
        steps = "\n".join(f"Step {k}: we check {rng.randint(2, 99)} + {rng.randint(2, 99)} once more." for k in range(lines))
        answer = f"<think>\n{steps}\n</think>\n\nThe answer is \\boxed{{{p['answer']}}}."
        rows.append({"messages": [{"role": "user", "content": p["problem"]}, {"role": "assistant", "content": answer}]})
    return rows


def build_model_dir(shape: str, tokenizer_dir: Path, out: Path, dtype: str = "float32") -> tuple[Path, int]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config

    from distill.toy.models import _copy_tokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    spec = dict(SHAPES[shape])
    spec["vocab_size"] = spec["vocab_size"] or len(tokenizer)
    config = Qwen2Config(**spec, max_position_embeddings=32768, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    # Saved in the dtype a real checkpoint has (bf16 on GPU), since TRL loads it with dtype="auto".
    model = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(out)
    _copy_tokenizer(tokenizer_dir, out)
    return out, params


class StepClock:
    """Wall and process CPU time at the end of each optimizer step (TrainerCallback).

    CPU time (all of the process's threads) is the figure to compare on a machine shared with other
    jobs: it counts the work a configuration needs, not how long it waited for a core."""

    def __new__(cls, *args, **kwargs):
        from transformers import TrainerCallback

        class _Clock(TrainerCallback):
            def __init__(self):
                self.times: list[float] = []
                self.cpu: list[float] = []

            def on_train_begin(self, args, state, control, **kw):
                self.times, self.cpu = [time.perf_counter()], [time.process_time()]

            def on_step_end(self, args, state, control, **kw):
                self._sync()
                self.times.append(time.perf_counter())
                self.cpu.append(time.process_time())

            @staticmethod
            def _sync():
                import torch

                if torch.cuda.is_available():
                    torch.cuda.synchronize()

        return _Clock()


class PeakMemory:
    """Peak memory of one run: CUDA's allocator peak on a GPU, else the process's sampled peak RSS."""

    def __init__(self, cuda: bool):
        self.cuda = cuda
        self.peak_rss = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_rss = max(self.peak_rss, self.rss())

    def __enter__(self):
        if self.cuda:
            import torch

            torch.cuda.reset_peak_memory_stats()
        self.peak_rss = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def result(self) -> dict:
        if self.cuda:
            import torch

            return {"peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
                    "peak_reserved_gib": round(torch.cuda.max_memory_reserved() / 2**30, 2)}
        return {"peak_memory_gib": round(self.peak_rss / 2**30, 2), "peak_memory_kind": "process RSS"}


def throughput(clock, tokens: int, warmup: int) -> dict:
    steps = len(clock.times) - 1
    total = clock.times[-1] - clock.times[0]
    out = {"steps": steps, "train_seconds": round(total, 2), "tokens_per_s": round(tokens / total, 1),
           "cpu_seconds": round(clock.cpu[-1] - clock.cpu[0], 2),
           "tokens_per_cpu_s": round(tokens / max(clock.cpu[-1] - clock.cpu[0], 1e-9), 1)}
    if steps > warmup + 1:
        share = (steps - warmup) / steps
        out["steady_tokens_per_s"] = round(tokens * share / (clock.times[-1] - clock.times[warmup]), 1)
        out["steady_tokens_per_cpu_s"] = round(tokens * share / max(clock.cpu[-1] - clock.cpu[warmup], 1e-9), 1)
    return out


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def trl_best_options(cuda: bool) -> dict:
    """TRL's documented speed settings, as far as this machine has what they need."""
    attention = "flash_attention_2" if cuda and has_module("flash_attn") else "sdpa"
    return {"packing": True, "packing_strategy": "bfd", "padding_free": True, "gradient_checkpointing": False,
            "use_liger_kernel": cuda and has_module("liger_kernel"),
            "model_init_kwargs": {"attn_implementation": attention}}


def run_trl(name: str, ws: dict, args) -> dict:
    import datasets
    import torch
    from trl import SFTConfig, SFTTrainer

    clock = StepClock()
    cuda = torch.cuda.is_available()
    options = {}
    if name == "trl-best":
        options = {**trl_best_options(cuda), "per_device_train_batch_size": ws["rows_per_step"]}
    config = SFTConfig(output_dir=tempfile.mkdtemp(dir=ws["root"]), max_length=ws["max_length"], num_train_epochs=1,
                       report_to="none", save_strategy="no", logging_steps=10**6, disable_tqdm=True, seed=0,
                       bf16=cuda, use_cpu=not cuda, **options)  # TRL's bf16 default needs a GPU; CPU runs fp32
    trainer = SFTTrainer(model=str(ws["model_dir"]), args=config, train_dataset=datasets.Dataset.from_list(ws["rows"]),
                         callbacks=[clock])
    trainer.train()
    # TRL counts the unpadded tokens it trained on (attention_mask.sum() / position_ids); distill's own
    # count of the same traces differs only by ChatML's trailing newline, which distill does not train on.
    tokens = int(trainer._total_train_tokens or ws["tokens"])
    return {"config": name, "trace_tokens": tokens, "gradient_checkpointing": config.gradient_checkpointing,
            "packing": config.packing, "per_device_train_batch_size": config.per_device_train_batch_size,
            "attention": trainer.model.config._attn_implementation, "liger": bool(config.use_liger_kernel),
            **throughput(clock, tokens, args.warmup_steps)}


def distill_recipe(ws: dict, work: Path):
    from distill.recipe import recipe_from_dict

    return recipe_from_dict({"seed": 0, "output_dir": str(work), "train_student": {
        "model": str(ws["model_dir"]), "dataset": str(ws["data"]), "max_length": ws["max_length"],
        "sft": {"num_train_epochs": 1, "per_device_train_batch_size": ws["rows_per_step"], "save_strategy": "no",
                "logging_steps": 10**6},
    }})


def memory_plan(recipe) -> dict:
    """The memory plan distill prints before training, for comparison with the measured peak."""
    from distill.train.model_loading import read_model_config
    from distill.train.sft.trainer import make_plan

    cfg = recipe.section("train_student")
    plan = make_plan(cfg, read_model_config(cfg.model))
    return {"predicted_gib": round(plan.total(plan.gradient_checkpointing), 2),
            "gradient_checkpointing": plan.gradient_checkpointing, "tokens_per_device": plan.tokens_per_device}


def run_distill(name: str, ws: dict, args) -> dict:
    from distill.train.sft import trainer as sft

    clock = StepClock()
    recipe = distill_recipe(ws, Path(tempfile.mkdtemp(dir=ws["root"])))
    result = sft.run_sft(recipe, progress=False, callbacks=[clock])
    train = result["train"]
    return {"config": name, "trace_tokens": result["counts"]["tokens"], "rejected": result["counts"]["rejected"],
            "gradient_checkpointing": train["gradient_checkpointing"], "packing": True,
            "per_device_train_batch_size": ws["rows_per_step"], "attention": train["attention"], "liger": train["liger"],
            "memory_plan": memory_plan(recipe), **throughput(clock, result["counts"]["tokens"], args.warmup_steps)}


RUNNERS = {"trl-defaults": run_trl, "trl-best": run_trl, "distill": run_distill}


def run_one(name: str, ws: dict, args) -> dict:
    import torch

    cuda = torch.cuda.is_available()
    with PeakMemory(cuda) as peak:
        result = RUNNERS[name](name, ws, args)
    result.update(peak.result(), torch_threads=torch.get_num_threads())
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    return result


def cpu_matmul_tflops(seconds: float = 1.0, n: int = 1024) -> float:
    """This CPU's fp32 matmul rate (TFLOP/s), the denominator of a CPU 'MFU'."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    count, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        count += 1
    return 2 * n**3 * count / (time.perf_counter() - t0) / 1e12


def peak_tflops(device: str) -> tuple[float | None, str]:
    if device == "cpu":
        return cpu_matmul_tflops(), "measured fp32 matmul (1024^3) at the start of the run"
    peak = next((v for k, v in PEAK_BF16_TFLOPS.items() if k in device), None)
    return peak, "datasheet dense bf16"


def prepare(args) -> dict:
    """Tokenizer, model directory, traces (JSONL for distill, rows for TRL), in a fresh work directory."""
    from distill.toy.tokenizer import build_tokenizer

    gpu = args.device == "cuda"
    root = Path(tempfile.mkdtemp(prefix="bench_sft_", dir=getattr(args, "work_dir", None)))
    build_tokenizer(root / "tokenizer")
    model_dir, params = build_model_dir(args.shape, root / "tokenizer", root / "model", "bfloat16" if gpu else "float32")
    rows = synthetic_traces(args.traces, args.mean_tokens, args.max_length - 64)
    data = root / "traces.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {"root": root, "model_dir": model_dir, "params": params, "rows": rows, "data": data,
            "max_length": args.max_length, "rows_per_step": max(1, args.tokens_per_step // args.max_length),
            "tokens": 0}


def metrics(results: list[dict], device: str) -> list[str]:
    """Wall-clock tokens/s (the headline on a GPU), plus tokens per CPU-second on a CPU."""
    steady = all("steady_tokens_per_s" in r for r in results)
    wall = "steady_tokens_per_s" if steady else "tokens_per_s"
    if device != "cpu":
        return [wall]
    return [wall, "steady_tokens_per_cpu_s" if steady else "tokens_per_cpu_s"]


def run_interleaved(ws: dict, args, configs=CONFIGS, repeats: int = 1, log=print) -> dict:
    """Rounds of every config in turn, the order rotated each round (A B C, B C A, C A B, ...) so no
    config always runs first or last; ratios per round, then the median over rounds."""
    import torch

    device = torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu"
    peak, peak_kind = peak_tflops(device)
    rounds = []
    for r in range(repeats):
        results = []
        order = list(configs[r % len(configs):]) + list(configs[:r % len(configs)])
        for name in order:
            t0 = time.perf_counter()
            results.append(run_one(name, ws, args))
            log(f"round {r + 1}/{repeats} {name}: {results[-1].get('steady_tokens_per_s', results[-1]['tokens_per_s'])} "
                f"tokens/s, {results[-1].get('steady_tokens_per_cpu_s', results[-1]['tokens_per_cpu_s'])} tokens/CPU-s "
                f"({time.perf_counter() - t0:.0f} s)")
        rounds.append(results)
    keys = metrics([x for rnd in rounds for x in rnd], device)
    summary = {"device": device, "torch_threads": torch.get_num_threads(), "shape": args.shape, "params": ws["params"],
               "traces": len(ws["rows"]), "max_length": ws["max_length"], "rows_per_step": ws["rows_per_step"],
               "repeats": repeats, "metric": keys[0], "metrics": keys, "peak_tflops": round(peak, 3) if peak else None,
               "peak_kind": peak_kind, "rounds": rounds, "configs": {}, "ratios": {}}
    for name in configs:
        runs = [x for rnd in rounds for x in rnd if x["config"] == name]
        entry = {"trace_tokens": runs[0]["trace_tokens"], "steps": runs[0]["steps"],
                 "peak_memory_gib": max(x["peak_memory_gib"] for x in runs),
                 "attention": runs[0]["attention"], "gradient_checkpointing": runs[0]["gradient_checkpointing"],
                 "packing": runs[0]["packing"], "liger": runs[0]["liger"]}
        for key in keys:
            entry[f"{key}_median"] = round(statistics.median(x[key] for x in runs), 1)
            entry[f"{key}_runs"] = [x[key] for x in runs]
        entry["tokens_per_s_median"] = entry[f"{keys[0]}_median"]
        entry["tokens_per_s_runs"] = entry[f"{keys[0]}_runs"]
        if peak:
            entry["mfu"] = round(6 * ws["params"] * entry["tokens_per_s_median"] / (peak * 1e12), 4)
        if "memory_plan" in runs[0]:
            entry["memory_plan"] = runs[0]["memory_plan"]
        summary["configs"][name] = entry
    if "distill" in configs:
        for base in (c for c in configs if c != "distill"):
            pair = {}
            for key in keys:
                per_round = [next(x for x in rnd if x["config"] == "distill")[key] / next(x for x in rnd if x["config"] == base)[key]
                             for rnd in rounds]
                pair[key] = {"median": round(statistics.median(per_round), 3), "rounds": [round(v, 3) for v in per_round]}
            summary["ratios"][f"distill/{base}"] = {**pair[keys[0]], "by_metric": pair}
    return summary


def table(summary: dict) -> str:
    keys = summary["metrics"]
    head = f"{'config':14} {'tokens/s':>10}" + (f" {'tok/CPU-s':>10}" if len(keys) > 1 else "")
    lines = [head + f" {'peak GiB':>9} {'MFU':>7} {'steps':>6} {'ckpt':>5} {'pack':>5} {'attention':>16}  runs (tokens/s)"]
    for name, c in summary["configs"].items():
        cpu = f" {c[keys[1] + '_median']:>10}" if len(keys) > 1 else ""
        runs = ", ".join(f"{v:g}" for v in c["tokens_per_s_runs"])
        lines.append(f"{name:14} {c['tokens_per_s_median']:>10}{cpu} {c['peak_memory_gib']:>9} {c.get('mfu', '-'):>7} "
                     f"{c['steps']:>6} {str(c['gradient_checkpointing']):>5} {str(c['packing']):>5} {c['attention']:>16}  {runs}")
    for pair, r in summary["ratios"].items():
        for key, v in r["by_metric"].items():
            lines.append(f"{pair} ({key}): {v['median']}x (rounds: {', '.join(map(str, v['rounds']))})")
    return "\n".join(lines)


def defaults(args) -> None:
    gpu = args.device == "cuda"
    args.shape = args.shape or ("qwen2.5-1.5b" if gpu else "tiny")
    args.traces = args.traces or (2000 if gpu else 96)
    args.mean_tokens = args.mean_tokens or (1200 if gpu else 150)
    args.max_length = args.max_length or (4096 if gpu else 1024)
    args.tokens_per_step = args.tokens_per_step or (16384 if gpu else 4096)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--shape", choices=sorted(SHAPES), default=None)
    parser.add_argument("--traces", type=int, default=None)
    parser.add_argument("--mean-tokens", type=int, default=None, help="mean reasoning length (log-normal)")
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--tokens-per-step", type=int, default=None, help="packed tokens per device step (trl-best, distill)")
    parser.add_argument("--warmup-steps", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1, help="rounds of every config, interleaved")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {', '.join(CONFIGS)}")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    defaults(args)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        print(f"bench_sft: unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}", file=sys.stderr)
        return 2

    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("bench_sft: --device cuda but no GPU is visible", file=sys.stderr)
        return 2
    ws = prepare(args)
    summary = run_interleaved(ws, args, configs, args.repeats, log=lambda m: print(m, file=sys.stderr, flush=True))
    out = Path(args.out or f"runs/bench_sft/{args.shape}-{args.device}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(table(summary))
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
