"""SFT throughput: TRL's SFTTrainer with its default settings vs distill's configuration.

Same model shape (random init, seeded), same traces, same device, one run each, in one process:

  trl-defaults  SFTTrainer(model, SFTConfig(max_length=L)) on the `messages` column: no packing,
                batches padded to their longest trace, gradient checkpointing on (TRL's default),
                the model's default attention (sdpa), loss on every token.
  distill       `distill train-student` (run_sft): traces packed into rows of L tokens with per-trace
                position_ids, attention chosen by distill (flash_attention_2 / flex / sdpa), gradient
                checkpointing only when the memory plan needs it, liger on GPU when installed.

Throughput is real (non-padding) trace tokens per second of training, over the steps after the first
`--warmup-steps` (compilation and allocator warm-up excluded), plus the whole-run figure. On a GPU
it also reports MFU (6 x params x tokens/s over the device's dense bf16 peak).

    python benchmarks/bench_sft.py --device cpu                        # tiny model, minutes on a laptop
    python benchmarks/bench_sft.py --device cuda --shape qwen2.5-1.5b  # H100: Qwen2.5-1.5B shape, 4K packed

Writes a JSON summary to --out (default runs/bench_sft/<shape>.json) and prints one table.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
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
    """Wall time at the end of each optimizer step (TrainerCallback), for steady-state throughput."""

    def __new__(cls, *args, **kwargs):
        from transformers import TrainerCallback

        class _Clock(TrainerCallback):
            def __init__(self):
                self.times: list[float] = []

            def on_train_begin(self, args, state, control, **kw):
                self.times = [time.perf_counter()]

            def on_step_end(self, args, state, control, **kw):
                self._sync()
                self.times.append(time.perf_counter())

            @staticmethod
            def _sync():
                import torch

                if torch.cuda.is_available():
                    torch.cuda.synchronize()

        return _Clock()


def throughput(clock, tokens: int, warmup: int) -> dict:
    steps = len(clock.times) - 1
    total = clock.times[-1] - clock.times[0]
    out = {"steps": steps, "train_seconds": round(total, 2), "tokens_per_s": round(tokens / total, 1)}
    if steps > warmup + 1:
        steady = clock.times[-1] - clock.times[warmup]
        out["steady_tokens_per_s"] = round(tokens * (steps - warmup) / steps / steady, 1)
    return out


def run_trl_defaults(model_dir: Path, rows: list[dict], max_length: int, tokens: int, args) -> dict:
    import datasets
    import torch
    from trl import SFTConfig, SFTTrainer

    clock = StepClock()
    cuda = torch.cuda.is_available()
    config = SFTConfig(output_dir=tempfile.mkdtemp(), max_length=max_length, num_train_epochs=1, report_to="none",
                       save_strategy="no", logging_steps=10**6, disable_tqdm=True, seed=0,
                       bf16=cuda, use_cpu=not cuda)  # TRL's bf16 default needs a GPU; CPU runs in fp32 for both
    trainer = SFTTrainer(model=str(model_dir), args=config, train_dataset=datasets.Dataset.from_list(rows),
                         callbacks=[clock])
    trainer.train()
    # TRL counts the unpadded tokens it trained on (attention_mask.sum()); distill's own count of the
    # same traces differs only by ChatML's trailing newline, which distill does not train on.
    tokens = trainer._total_train_tokens or tokens
    return {"config": "trl-defaults", "trace_tokens": tokens, "gradient_checkpointing": config.gradient_checkpointing, "packing": False,
            "per_device_train_batch_size": config.per_device_train_batch_size,
            "attention": trainer.model.config._attn_implementation, **throughput(clock, tokens, args.warmup_steps)}


def run_distill(model_dir: Path, data: Path, max_length: int, work: Path, args) -> dict:
    from distill.recipe import recipe_from_dict
    from distill.train import sft

    clock = StepClock()
    batch = max(1, args.tokens_per_step // max_length)
    recipe = recipe_from_dict({"seed": 0, "output_dir": str(work), "train_student": {
        "model": str(model_dir), "dataset": str(data), "max_length": max_length,
        "sft": {"num_train_epochs": 1, "per_device_train_batch_size": batch, "save_strategy": "no",
                "logging_steps": 10**6},
    }})
    result = sft.run_sft(recipe, progress=False, callbacks=[clock])
    train = result["train"]
    return {"config": "distill", "trace_tokens": result["counts"]["tokens"], "rejected": result["counts"]["rejected"],
            "gradient_checkpointing": train["gradient_checkpointing"], "packing": True,
            "per_device_train_batch_size": batch, "attention": train["attention"], "liger": train["liger"],
            **throughput(clock, result["counts"]["tokens"], args.warmup_steps)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--shape", choices=sorted(SHAPES), default=None)
    parser.add_argument("--traces", type=int, default=None)
    parser.add_argument("--mean-tokens", type=int, default=None, help="mean reasoning length (log-normal)")
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--tokens-per-step", type=int, default=None, help="distill: packed tokens per device step")
    parser.add_argument("--warmup-steps", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    gpu = args.device == "cuda"
    args.shape = args.shape or ("qwen2.5-1.5b" if gpu else "tiny")
    args.traces = args.traces or (2000 if gpu else 300)
    args.mean_tokens = args.mean_tokens or (1200 if gpu else 150)
    args.max_length = args.max_length or (4096 if gpu else 1024)
    args.tokens_per_step = args.tokens_per_step or (16384 if gpu else 4096)

    import torch

    if gpu and not torch.cuda.is_available():
        print("bench_sft: --device cuda but no GPU is visible", file=sys.stderr)
        return 2
    from distill.toy.tokenizer import build_tokenizer

    work = Path(tempfile.mkdtemp(prefix="bench_sft_"))
    build_tokenizer(work / "tokenizer")
    model_dir, params = build_model_dir(args.shape, work / "tokenizer", work / "model",
                                        "bfloat16" if gpu else "float32")
    rows = synthetic_traces(args.traces, args.mean_tokens, args.max_length - 64)
    data = work / "traces.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))

    distill_result = run_distill(model_dir, data, args.max_length, work / "distill", args)
    tokens = json.loads((work / "distill" / "train_student" / "manifest.json").read_text())["counts"]["tokens"]
    trl_result = run_trl_defaults(model_dir, rows, args.max_length, tokens, args)

    key = "steady_tokens_per_s" if "steady_tokens_per_s" in distill_result and "steady_tokens_per_s" in trl_result else "tokens_per_s"
    summary = {
        "device": torch.cuda.get_device_name(0) if gpu else "cpu", "torch_threads": torch.get_num_threads(),
        "shape": args.shape, "params": params, "traces": args.traces, "trace_tokens": tokens,
        "max_length": args.max_length, "results": [trl_result, distill_result],
        "speedup": round(distill_result[key] / trl_result[key], 2), "speedup_metric": key,
    }
    if gpu:
        name = summary["device"]
        peak = next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)
        if peak:
            for r in summary["results"]:
                r["mfu"] = round(6 * params * r[key] / (peak * 1e12), 3)
    out = Path(args.out or f"runs/bench_sft/{args.shape}-{args.device}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{'config':14} {'tokens/s':>10} {'steady':>10} {'steps':>6} {'ckpt':>5} {'attention':>18}")
    for r in summary["results"]:
        print(f"{r['config']:14} {r['tokens_per_s']:>10} {r.get('steady_tokens_per_s', '-'):>10} {r['steps']:>6} "
              f"{str(r['gradient_checkpointing']):>5} {r['attention']:>18}" + (f"  MFU {r['mfu']}" if "mfu" in r else ""))
    print(f"speedup distill / trl-defaults ({key}): {summary['speedup']}x  -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
