"""GRPO step time, distill against TRL's GRPOTrainer, each step split into generation, reward scoring
and training (the rest of the step: log-probs, loss, backward, optimizer).

    python benchmarks/bench_grpo.py --repeats 2                      # CPU, tiny model, transformers generation
    python benchmarks/bench_grpo.py --shape 0.5b --steps 6           # a Qwen2.5-0.5B-shaped model
    python benchmarks/bench_grpo.py --backend vllm --shape 1.5b --bf16   # on a GPU: vLLM colocate

Configurations, in one process, on the same model, prompts, reward functions and GRPO hyperparameters
(completions per step, group size, completion length, temperature, beta), interleaved for --repeats
rounds so a shared machine disturbs them alike:

  trl-defaults  trl.GRPOConfig with only those hyperparameters: generation through transformers'
                `generate` (use_vllm=False), gradient checkpointing on (TRL's GRPO default).
  trl-best      what TRL's docs recommend for speed on one device: use_vllm=True with
                vllm_mode="colocate" when --backend vllm (vLLM generation inside the training
                process), gradient_checkpointing=False when memory allows (always on a CPU; --bf16
                runs are assumed to fit), use_liger_kernel=True where liger-kernel is installed (GPU).
  distill       `distill.train.grpo.trainer.build_trainer`: TRL's GRPOTrainer with distill's reward
                registry, callbacks (budget, metrics, progress) and its defaults (gradient
                checkpointing decided by distill.train.grpo.memory).

Generation on a CPU is the transformers path for all three unless --backend vllm (vLLM's CPU build,
colocated: distill needs its live-weights patch there, which trl-best gets too, or TRL's weight sync
would not reach vLLM's CPU layers). The reward functions are distill's for all three, so the work is
the same. Models are built from a shape with random weights and the toy tokenizer, so nothing is
downloaded and completions mostly run to --max-completion-length; --model DIR times a real
checkpoint instead. The first step (warm-up, compilation, vLLM start) is reported apart.
Writes a JSON summary to --out and prints a table; --json appends one JSON line per config.
`benchmarks/gpu_check.py` calls `prepare` and `run_config` from here.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Qwen2.5-like shapes (hidden, layers, heads, intermediate). The toy builder keeps head_dim 64 and
# full multi-head attention, so 1.5b has 24 heads of 64 instead of 12 of 128: same parameter count.
SHAPES = {
    "tiny": dict(hidden_size=128, num_layers=2, num_heads=2, intermediate_size=256),
    "0.5b": dict(hidden_size=896, num_layers=24, num_heads=14, intermediate_size=4864),
    "1.5b": dict(hidden_size=1536, num_layers=28, num_heads=24, intermediate_size=8960),
}
CONFIGS = ("trl-defaults", "trl-best", "distill")


def build_model(shape: str, root: Path) -> Path:
    from distill.toy.models import build_tiny_model
    from distill.toy.tokenizer import build_tokenizer

    build_tokenizer(root / "tokenizer")
    return build_tiny_model("qwen2", root / "tokenizer", root / f"qwen2-{shape}", **SHAPES[shape])


class Timer:
    """Wraps a bound method and sums the seconds spent in it since the last `take()`."""

    def __init__(self, obj, name: str, count=None):
        self.total = 0.0
        self.items = 0
        inner = getattr(obj, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                out = inner(*args, **kwargs)
                if count is not None:
                    self.items += count(out)
                return out
            finally:
                self.total += time.perf_counter() - t0

        setattr(obj, name, timed)

    def take(self) -> float:
        value, self.total = self.total, 0.0
        return value


def completion_tokens(out) -> int:
    """`_generate_single_turn` returns (completion_ids, logprobs); ids are a list of token lists."""
    ids = out[0] if isinstance(out, tuple) else out
    return sum(len(c) for c in ids)


def make_recipe(args, model_dir: Path, out_dir: Path):
    from distill.recipe import recipe_from_dict

    return recipe_from_dict({
        "seed": 0, "output_dir": str(out_dir),
        "train_baseline": {
            "model": str(model_dir), "template": "plain", "backend": args.backend, "plot": False,
            "prompts": {"kind": "toy", "name": "arithmetic", "limit": 256},
            "rewards": {"accuracy": 1.0, "format": 0.2},
            "grpo": {**hyperparameters(args), **({"vllm_gpu_memory_utilization": 0.3} if args.backend == "vllm" else {})},
        },
    })


def hyperparameters(args) -> dict:
    """What all three configs share (the experiment), beside output and seed."""
    return {"num_generations": args.num_generations, "per_device_train_batch_size": args.batch,
            "max_completion_length": args.max_completion_length, "max_steps": args.steps, "temperature": 1.0,
            "beta": args.beta, "save_strategy": "no", "bf16": args.bf16}


def trl_trainer(name: str, args, section, dataset, out_dir: Path):
    """TRL's GRPOTrainer as a user following TRL's docs builds it (distill's rewards, for equal work)."""
    import importlib.util

    import torch
    import trl

    from distill.train.grpo.trainer import _max_completion_length
    from distill.train.rewards import RewardContext, build_rewards

    cuda = torch.cuda.is_available()
    funcs, weights = build_rewards(section.rewards, RewardContext(max_completion_length=_max_completion_length(section)))
    options = {**hyperparameters(args), "output_dir": str(out_dir), "seed": 0, "reward_weights": weights,
               "report_to": "none", "disable_tqdm": True, "logging_steps": 1, "use_cpu": not cuda}
    if name == "trl-best":
        options.update(gradient_checkpointing=False, use_liger_kernel=cuda and importlib.util.find_spec("liger_kernel") is not None)
        if args.backend == "vllm":
            options.update(use_vllm=True, vllm_mode="colocate", vllm_gpu_memory_utilization=0.3)
            from distill.train.vllm_cpu import live_linear_weights_on_cpu

            live_linear_weights_on_cpu()  # a no-op on a GPU; on a CPU TRL's weight sync needs it
    trainer = trl.GRPOTrainer(model=section.model, reward_funcs=funcs, args=trl.GRPOConfig(**options),
                              train_dataset=dataset)
    return trainer, {"gradient_checkpointing": trainer.args.gradient_checkpointing, "use_vllm": trainer.args.use_vllm,
                     "liger": bool(trainer.args.use_liger_kernel)}


def distill_trainer(args, section, dataset, out_dir: Path):
    from distill.train.grpo.trainer import build_trainer

    trainer, _ = build_trainer(section, out_dir, 0, dataset, "bench")
    return trainer, {"gradient_checkpointing": trainer.args.gradient_checkpointing, "use_vllm": trainer.args.use_vllm,
                     "liger": bool(trainer.args.use_liger_kernel)}


def prepare(args) -> dict:
    from distill.train.grpo.data import build_dataset

    root = Path(tempfile.mkdtemp(prefix="bench_grpo_", dir=getattr(args, "work_dir", None)))
    model_dir = Path(args.model) if args.model else build_model(args.shape, root)
    recipe = make_recipe(args, model_dir, root / "run")
    dataset, _ = build_dataset(recipe.train_baseline, recipe.seed)
    return {"root": root, "model_dir": model_dir, "recipe": recipe, "dataset": dataset}


def run_config(name: str, ws: dict, args) -> dict:
    """Train --steps steps with one config; per-step generation / rewards / training seconds."""
    import torch
    from transformers import TrainerCallback, set_seed

    set_seed(0)
    section = ws["recipe"].train_baseline
    out_dir = Path(tempfile.mkdtemp(dir=ws["root"]))
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    if name == "distill":
        trainer, info = distill_trainer(args, section, ws["dataset"], out_dir)
    else:
        trainer, info = trl_trainer(name, args, section, ws["dataset"], out_dir)
    gen = Timer(trainer, "_generate_single_turn", count=completion_tokens)
    rew = Timer(trainer, "_calculate_rewards")
    steps: list[dict] = []

    class StepTimes(TrainerCallback):
        def on_step_begin(self, *a, **k):
            self.t0, self.c0 = time.perf_counter(), time.process_time()

        def on_step_end(self, *a, **k):
            if cuda:
                torch.cuda.synchronize()
            total = time.perf_counter() - self.t0
            g, r = gen.take(), rew.take()
            # CPU seconds of the process: on a shared CPU machine, the work rather than the wait
            steps.append({"step": total, "generation": g, "rewards": r, "training": total - g - r,
                          "step_cpu": time.process_time() - self.c0})

    trainer.add_callback(StepTimes())
    trainer.train()
    warm, rest = steps[0], steps[1:] or steps[:1]
    mean = {k: statistics.mean(s[k] for s in rest) for k in rest[0]}
    result = {"config": name, **info, "steps": len(steps), "first_step_s": round(warm["step"], 3),
              **{f"{k}_s": round(v, 3) for k, v in mean.items()}, "generated_tokens": gen.items,
              "gen_tokens_per_s": round(gen.items / max(sum(s["generation"] for s in steps), 1e-9), 1)}
    if cuda:
        result["peak_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    del trainer
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    return result


def summarize(rounds: list[list[dict]], configs, args) -> dict:
    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU ({torch.get_num_threads()} threads)"
    summary = {"shape": "model" if args.model else args.shape, "backend": args.backend, "device": device,
               "completions_per_step": args.batch, "max_completion_length": args.max_completion_length,
               "steps": args.steps, "repeats": len(rounds), "rounds": rounds, "configs": {}, "ratios": {}}
    for name in configs:
        runs = [x for rnd in rounds for x in rnd if x["config"] == name]
        summary["configs"][name] = {k: round(statistics.median(x[k] for x in runs), 3)
                                    for k in ("step_s", "step_cpu_s", "generation_s", "rewards_s", "training_s", "gen_tokens_per_s")}
        summary["configs"][name].update({k: runs[0][k] for k in ("gradient_checkpointing", "use_vllm", "liger")})
        summary["configs"][name]["step_s_runs"] = [x["step_s"] for x in runs]
    if "distill" in configs:
        for base in (c for c in configs if c != "distill"):
            # speed ratio: the other config's step time over distill's, per round (wall and CPU seconds)
            pair = {}
            for key in ("step_s", "step_cpu_s"):
                per_round = [next(x for x in rnd if x["config"] == base)[key] / next(x for x in rnd if x["config"] == "distill")[key]
                             for rnd in rounds]
                pair[key] = {"median": round(statistics.median(per_round), 3), "rounds": [round(v, 3) for v in per_round]}
            summary["ratios"][f"distill/{base}"] = {**pair["step_s"], "by_metric": pair}
    return summary


def table(summary: dict) -> str:
    lines = ["| config | step s (median) | runs | step CPU-s | generation s | rewards s | training s | gen tok/s | grad. ckpt | vLLM |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in summary["configs"].items():
        lines.append(f"| {name} | {c['step_s']} | {', '.join(map(str, c['step_s_runs']))} | {c['step_cpu_s']} | {c['generation_s']} | "
                     f"{c['rewards_s']} | {c['training_s']} | {c['gen_tokens_per_s']} | {c['gradient_checkpointing']} | "
                     f"{c['use_vllm']} |")
    for pair, r in summary["ratios"].items():
        for key, v in r["by_metric"].items():
            lines.append(f"speed {pair} ({key}: theirs / distill's): {v['median']}x (rounds: {', '.join(map(str, v['rounds']))})")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    p.add_argument("--model", help="a model directory to time instead of a built shape")
    p.add_argument("--backend", choices=["transformers", "vllm"], default="transformers")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--num-generations", type=int, default=8)
    p.add_argument("--batch", type=int, default=16, help="completions per step (per device)")
    p.add_argument("--max-completion-length", type=int, default=64)
    p.add_argument("--beta", type=float, default=0.0, help="KL coefficient (>0 adds a reference model)")
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--repeats", type=int, default=1, help="rounds of every config, interleaved")
    p.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {', '.join(CONFIGS)}")
    p.add_argument("--out", help="write the JSON summary here")
    p.add_argument("--json", help="append one JSON line per config run to this file")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        print(f"bench_grpo: unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}", file=sys.stderr)
        return 2
    ws = prepare(args)
    rounds = []
    for r in range(args.repeats):
        rounds.append([])
        for name in configs[r % len(configs):] + configs[:r % len(configs)]:  # rotated: none always first
            rounds[-1].append(run_config(name, ws, args))
            print(f"round {r + 1}/{args.repeats} {name}: {rounds[-1][-1]['step_s']} s/step", file=sys.stderr, flush=True)
            if args.json:
                with open(args.json, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({**rounds[-1][-1], "shape": args.shape, "backend": args.backend}) + "\n")
    summary = summarize(rounds, configs, args)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")
    print(table(summary))
    return 0


if __name__ == "__main__":  # vLLM spawns workers: nothing may run at import
    sys.exit(main())
