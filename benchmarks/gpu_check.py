"""One prepared check of distill's GPU paths, sized for a lent H100/H200 (at most 8 minutes of wall time).

    python benchmarks/gpu_check.py --device cuda --out $OUT/gpu_check.json   # on the GPU machine
    python benchmarks/gpu_check.py --device cpu --out /tmp/gpu_check.json    # tiny shapes, same code (CI test)

Sections, in order (each timed; a failure is recorded and the next section still runs):

  env          versions, device, what distill resolves (attention, dtype, liger) and what is installed
  sft          benchmarks/bench_sft.py, one interleaved round: TRL defaults, TRL best, distill; tokens/s,
               ratios, peak memory, MFU (cuda: Qwen2.5-1.5B shape, rows of 4,096 tokens packed 4 per step)
  memory_plan  the memory plan distill prints for that SFT run against the peak the run measured
  packing      packed = unpacked per-token loss with the attention distill picks on this device, and no
               leak across trace boundaries (changing trace 1 leaves trace 2's losses unchanged)
  grpo         one GRPO step through distill's trainer (transformers generation: the machine has no
               vLLM), split into generation, rewards and training, after one warm-up step
  generate     `distill generate` with the hf engine on a small random model
  eval         `distill eval` (lm-eval's hf backend) on the same model

Before anything runs it prints its own wall-time estimate against --budget-s (default 480 s = 8 min);
while it runs, a section whose estimate no longer fits in what is left is skipped (status "skipped")
instead of overrunning. --only NAME[,NAME] reruns single sections. Writes one JSON (--out) and prints
a summary table last.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench_sft / bench_grpo beside this file

SECTIONS = ("env", "sft", "memory_plan", "packing", "grpo", "generate", "eval")

# Seconds each section is expected to take. cuda: from the FLOP count of the SFT runs (~0.55M trace
# tokens per config x 6 x 1.54B params at 12% MFU for TRL defaults, 30% for the packed runs, on
# 989 TFLOP/s) plus model build/load (~15 s per config) and flex_attention's first compile (~60 s);
# the other sections are small models and compile or import time. cpu: measured on this project's
# 2-core machine (idle), tiny shapes.
ESTIMATE_S = {
    "cuda": {"env": 10, "sft": 200, "memory_plan": 0, "packing": 45, "grpo": 60, "generate": 30, "eval": 45},
    "cpu": {"env": 5, "sft": 25, "memory_plan": 0, "packing": 5, "grpo": 15, "generate": 8, "eval": 12},
}

SHAPES = {
    # cuda: the issue's 1.5B shape at 4K packed; cpu: seconds on two cores
    "cuda": {"sft": dict(shape="qwen2.5-1.5b", traces=400, mean_tokens=1200, max_length=4096, tokens_per_step=16384,
                         warmup_steps=3),
             "grpo": dict(shape="1.5b", batch=16, num_generations=8, max_completion_length=256, bf16=True),
             "small": dict(hidden_size=256, num_layers=4, num_heads=4, intermediate_size=1024)},
    "cpu": {"sft": dict(shape="tiny", traces=8, mean_tokens=48, max_length=256, tokens_per_step=512,
                        warmup_steps=1),
            "grpo": dict(shape="tiny", batch=4, num_generations=2, max_completion_length=8, bf16=False),
            "small": dict(hidden_size=128, num_layers=2, num_heads=2, intermediate_size=256)},
}


class Check:
    """Runs sections in order under a wall-time budget and collects their results."""

    def __init__(self, device: str, budget_s: float, only: set[str] | None, work: Path):
        self.device, self.budget_s, self.only, self.work = device, budget_s, only, work
        self.t0 = time.perf_counter()
        self.results: dict[str, dict] = {}
        self.shared: dict = {}

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def wanted(self) -> list[str]:
        return [s for s in SECTIONS if self.only is None or s in self.only]

    def estimate(self) -> float:
        return float(sum(ESTIMATE_S[self.device][s] for s in self.wanted()))

    def run(self, name: str, fn) -> None:
        if name not in self.wanted():
            return
        left = self.budget_s - self.elapsed()
        if ESTIMATE_S[self.device][name] > left:
            self.results[name] = {"status": "skipped", "reason": f"estimate {ESTIMATE_S[self.device][name]} s > {left:.0f} s left"}
            return
        print(f"gpu_check: {name} (at {self.elapsed():.0f} s)", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            result = {"status": "ok", **(fn(self) or {})}
        except Exception as exc:  # recorded, and the next section still runs
            result = {"status": "failed", "error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
                      "traceback": traceback.format_exc(limit=6)}
        result["wall_s"] = round(time.perf_counter() - t0, 1)
        self.results[name] = result


def section_env(check: Check) -> dict:
    import importlib.metadata as md

    import torch

    from distill.train import model_loading as ml

    def version(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    cuda = check.device == "cuda"
    out = {"python": platform.python_version(), "device": torch.cuda.get_device_name(0) if cuda else platform.processor() or "cpu",
           "torch_threads": torch.get_num_threads(),
           "versions": {n: version(n) for n in ("torch", "transformers", "trl", "datasets", "peft", "accelerate",
                                                 "triton", "flash-attn", "liger-kernel", "vllm", "lm-eval", "math-verify")},
           "distill_picks": {"attention": ml.resolve_attention("auto"), "dtype": ml.resolve_dtype("auto"),
                             "liger": ml.resolve_liger("auto")}}
    if cuda:
        props = torch.cuda.get_device_properties(0)
        out["gpu_memory_gib"] = round(props.total_memory / 2**30, 1)
        out["capability"] = f"{props.major}.{props.minor}"
    return out


def section_sft(check: Check) -> dict:
    import bench_sft

    args = argparse.Namespace(device=check.device, work_dir=str(check.work), **SHAPES[check.device]["sft"])
    ws = bench_sft.prepare(args)
    summary = bench_sft.run_interleaved(ws, args, bench_sft.CONFIGS, repeats=1,
                                        log=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    check.shared["sft"] = summary
    return {k: summary[k] for k in ("shape", "params", "traces", "max_length", "rows_per_step", "metric", "metrics", "peak_tflops",
                                    "peak_kind", "configs", "ratios")}


def section_memory_plan(check: Check) -> dict:
    sft = check.shared.get("sft")
    if not sft or "distill" not in sft["configs"]:
        raise RuntimeError("needs the sft section's distill run")
    entry = sft["configs"]["distill"]
    plan = entry["memory_plan"]
    out = {"predicted_gib": plan["predicted_gib"], "measured_peak_gib": entry["peak_memory_gib"],
           "gradient_checkpointing": plan["gradient_checkpointing"], "tokens_per_device": plan["tokens_per_device"]}
    if check.device == "cuda":
        out["predicted_over_measured"] = round(plan["predicted_gib"] / max(entry["peak_memory_gib"], 1e-9), 2)
        out["within_plan_tolerance"] = abs(out["predicted_over_measured"] - 1) <= 0.2 or entry["peak_memory_gib"] <= plan["predicted_gib"]
    else:
        out["note"] = "CPU: the plan describes a bf16 GPU run and the measured figure is process RSS; not comparable"
    return out


def small_model(check: Check) -> Path:
    if "small_model" not in check.shared:
        from distill.toy.models import build_tiny_model
        from distill.toy.tokenizer import build_tokenizer

        root = check.work / "small"
        build_tokenizer(root / "tokenizer")
        check.shared["small_model"] = build_tiny_model("qwen2", root / "tokenizer", root / "model",
                                                       **SHAPES[check.device]["small"])
    return check.shared["small_model"]


def _token_losses(model, batch):
    import torch.nn.functional as F

    import torch

    # everything the collator gives the model in training (cu_seq_lens_* / max_length_* feed the varlen
    # kernels); tensors to the model's device, the integer lengths as they are
    batch = {k: v.to(model.device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
    labels = batch.pop("labels")
    logits = model(**batch, use_cache=False).logits.float()
    shift_logits, shift_labels = logits[:, :-1], labels[:, 1:]
    loss = F.cross_entropy(shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1),
                           ignore_index=-100, reduction="none")
    return loss[shift_labels.reshape(-1) != -100]


def _packed(collate, rows):
    return collate([{"input_ids": sum((r["input_ids"] for r in rows), []), "labels": sum((r["labels"] for r in rows), []),
                     "seq_lengths": [len(r["input_ids"]) for r in rows]}])


def section_packing(check: Check) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from distill.toy.tasks import make_problems
    from distill.train import model_loading as ml
    from distill.train.sft.data import _tokenize

    model_dir = small_model(check)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    rows = []
    for p in make_problems("arithmetic", "train", 4, difficulty=2):
        msgs = [{"role": "user", "content": p["problem"]}, {"role": "assistant", "content": p["solution"]}]
        out = _tokenize({"messages": msgs}, tokenizer, tokenizer.chat_template, 4096, eos)
        rows.append({"input_ids": out["input_ids"], "labels": out["labels"]})
    attention, dtype = ml.resolve_attention("auto"), ml.resolve_dtype("auto")
    device = "cuda" if check.device == "cuda" else "cpu"
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation=attention, dtype=getattr(torch, dtype)).to(device)
    model.eval()
    collate = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id, padding_free=True)
    with torch.no_grad():
        packed = _token_losses(model, _packed(collate, rows))
        single = torch.cat([_token_losses(model, collate([r])) for r in rows])
        # Trace 1 replaced by other tokens: trace 2..n must not notice (no attention across boundaries).
        first = dict(rows[0], input_ids=[(t + 7) % len(tokenizer) for t in rows[0]["input_ids"]])
        changed = _token_losses(model, _packed(collate, [first] + rows[1:]))
    n_first = sum(1 for t in rows[0]["labels"][1:] if t != -100)
    diff = (packed - single).abs().max().item()
    leak = (packed[n_first:] - changed[n_first:]).abs().max().item()
    tol = 1e-4 if dtype == "float32" else 0.05  # bf16 kernels differ in summation order between layouts
    return {"attention": attention, "dtype": dtype, "tokens": int(packed.numel()), "traces": len(rows),
            "max_abs_diff_packed_vs_unpacked": round(diff, 6), "max_abs_diff_other_trace_changed": round(leak, 6),
            "tolerance": tol, "equal": diff <= tol and leak <= tol}


def section_grpo(check: Check) -> dict:
    import bench_grpo

    args = bench_grpo.parser().parse_args([])
    for key, value in SHAPES[check.device]["grpo"].items():
        setattr(args, key, value)
    args.steps, args.work_dir = 2, str(check.work)  # one warm-up step, one measured
    ws = bench_grpo.prepare(args)
    result = bench_grpo.run_config("distill", ws, args)
    return {"shape": args.shape, "completions_per_step": args.batch, "max_completion_length": args.max_completion_length,
            **{k: result[k] for k in result if k != "config"}}


def section_generate(check: Check) -> dict:
    import yaml

    from distill.cli import main

    model_dir = small_model(check)
    recipe = check.work / "generate.yaml"
    cuda = check.device == "cuda"
    recipe.write_text(yaml.safe_dump({"seed": 0, "output_dir": str(check.work / "gen_run"), "generate": {
        "teacher": str(model_dir), "engine": "hf", "num_samples": 2, "chunk_size": 16,
        "source": {"kind": "toy", "name": "arithmetic", "limit": 32 if cuda else 4},
        "sampling": {"max_new_tokens": 128 if cuda else 8}, "hf": {"batch_size": 32 if cuda else 4}}}))
    rc = main(["generate", str(recipe)])
    manifest = json.loads((check.work / "gen_run" / "generate" / "manifest.json").read_text())
    counts = manifest.get("counts", {})
    if rc != 0:
        raise RuntimeError(f"distill generate exited {rc}")
    return {"rc": rc, "samples": counts.get("samples"), "completion_tokens": counts.get("completion_tokens"),
            "tokens_per_second": (counts.get("this_run") or {}).get("tokens_per_second")}


def section_eval(check: Check) -> dict:
    import importlib.util

    from distill.cli import main

    if importlib.util.find_spec("lm_eval") is None:
        raise RuntimeError("lm-eval is not installed (carry its wheels, see docs/benchmarks.md)")
    cuda = check.device == "cuda"
    out = check.work / "eval_run"
    rc = main(["eval", "--model", f"small={small_model(check)}", "--tasks", "toy_arithmetic", "--backend", "hf",
               "--samples", "2", "--limit", "16" if cuda else "2", "--max-gen-toks", "64" if cuda else "8", "--out", str(out)])
    if rc != 0:
        raise RuntimeError(f"distill eval exited {rc}")
    results = json.loads((out / "small" / "results.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    return {"rc": rc, "samples": manifest["counts"].get("samples"),
            "pass@1": results["tasks"]["toy_arithmetic"].get("pass@1")}


RUNNERS = {"env": section_env, "sft": section_sft, "memory_plan": section_memory_plan, "packing": section_packing,
           "grpo": section_grpo, "generate": section_generate, "eval": section_eval}


def summary_lines(report: dict) -> list[str]:
    lines = [f"gpu_check on {report['device']}: wall {report['wall_s']} s of {report['budget_s']} s budget "
             f"(estimate {report['estimate_s']} s) -> {'FITS' if report['wall_s'] <= report['budget_s'] else 'OVER BUDGET'}"]
    for name, r in report["sections"].items():
        detail = r.get("error") or r.get("reason") or ""
        if name == "sft" and r["status"] == "ok":
            detail = "; ".join(f"{k} {v['tokens_per_s_median']} tok/s, MFU {v.get('mfu', '-')}, {v['peak_memory_gib']} GiB"
                               for k, v in r["configs"].items())
            detail += "; " + "; ".join(f"{k} {v['median']}x" for k, v in r["ratios"].items())
        elif name == "memory_plan" and r["status"] == "ok":
            detail = f"predicted {r['predicted_gib']} GiB, measured {r['measured_peak_gib']} GiB"
        elif name == "packing" and r["status"] == "ok":
            detail = (f"{r['attention']} {r['dtype']}: max diff {r['max_abs_diff_packed_vs_unpacked']}, "
                      f"leak {r['max_abs_diff_other_trace_changed']} (tol {r['tolerance']}) -> {'equal' if r['equal'] else 'NOT EQUAL'}")
        elif name == "grpo" and r["status"] == "ok":
            detail = (f"step {r['step_s']} s = generation {r['generation_s']} + rewards {r['rewards_s']} + "
                      f"training {r['training_s']}; first step {r['first_step_s']} s")
        elif name in ("generate", "eval") and r["status"] == "ok":
            detail = ", ".join(f"{k} {v}" for k, v in r.items() if k not in ("status", "wall_s"))
        lines.append(f"  {name:12} {r['status']:8} {r.get('wall_s', '-'):>7} s  {detail}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cuda")
    parser.add_argument("--out", default="runs/gpu_check.json")
    parser.add_argument("--budget-s", type=float, default=480.0)
    parser.add_argument("--only", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",")} if args.only else None
    if only and only - set(SECTIONS):
        print(f"gpu_check: unknown section(s) {', '.join(sorted(only - set(SECTIONS)))}", file=sys.stderr)
        return 2
    if only and "memory_plan" in only:
        only.add("sft")
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_check: --device cuda but no GPU is visible (use --device cpu)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="gpu_check_"))
    check = Check(args.device, args.budget_s, only, work)
    print(f"gpu_check: estimated wall time {check.estimate():.0f} s of the {args.budget_s:.0f} s budget "
          f"({', '.join(check.wanted())})", file=sys.stderr, flush=True)
    for name in SECTIONS:
        check.run(name, RUNNERS[name])
    report = {"device": check.results.get("env", {}).get("device", args.device), "device_kind": args.device,
              "budget_s": args.budget_s, "estimate_s": check.estimate(), "wall_s": round(check.elapsed(), 1),
              "work_dir": str(work), "sections": check.results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("\n".join(summary_lines(report)))
    print(f"-> {out}")
    failed = [n for n, r in check.results.items() if r["status"] == "failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
