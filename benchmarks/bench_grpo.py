"""GRPO step time, split into generation, reward scoring and training (the rest of the step).

    python benchmarks/bench_grpo.py                                  # CPU, tiny model, transformers
    python benchmarks/bench_grpo.py --shape 0.5b --steps 6           # a Qwen2.5-0.5B-shaped model
    python benchmarks/bench_grpo.py --backend vllm --shape 1.5b      # on a GPU: vLLM colocate

Models are built from a shape with random weights and the toy tokenizer, so nothing is downloaded;
--model DIR times a real checkpoint instead. Prompts: the toy arithmetic task. The model has no
reason to stop early, so every completion runs to --max-completion-length: the numbers are per
generated token at a fixed length. The first step (warm-up, compilation, vLLM start) is reported
apart. Writes a JSON line to --json if given and prints a markdown row.
"""

from __future__ import annotations

import argparse
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


def build_model(shape: str, root: Path) -> Path:
    from distill.toy.models import build_tiny_model
    from distill.toy.tokenizer import build_tokenizer

    build_tokenizer(root / "tokenizer")
    return build_tiny_model("qwen2", root / "tokenizer", root / f"qwen2-{shape}", **SHAPES[shape])


class Timer:
    """Wraps a bound method and sums the seconds spent in it since the last `take()`."""

    def __init__(self, obj, name: str):
        self.total = 0.0
        inner = getattr(obj, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - t0

        setattr(obj, name, timed)

    def take(self) -> float:
        value, self.total = self.total, 0.0
        return value


def make_recipe(args, model_dir: Path, out_dir: Path):
    from distill.recipe import recipe_from_dict

    return recipe_from_dict({
        "seed": 0, "output_dir": str(out_dir),
        "train_baseline": {
            "model": str(model_dir), "template": "plain", "backend": args.backend, "plot": False,
            "prompts": {"kind": "toy", "name": "arithmetic", "limit": 256},
            "rewards": {"accuracy": 1.0, "format": 0.2},
            "grpo": {"num_generations": args.num_generations, "per_device_train_batch_size": args.batch,
                     "max_completion_length": args.max_completion_length, "max_steps": args.steps,
                     "temperature": 1.0, "beta": args.beta, "save_strategy": "no", "bf16": args.bf16,
                     **({"vllm_gpu_memory_utilization": 0.3} if args.backend == "vllm" else {})},
        },
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    parser.add_argument("--model", help="a model directory to time instead of a built shape")
    parser.add_argument("--backend", choices=["transformers", "vllm"], default="transformers")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--num-generations", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16, help="completions per step (per device)")
    parser.add_argument("--max-completion-length", type=int, default=64)
    parser.add_argument("--beta", type=float, default=0.0, help="KL coefficient (>0 adds a reference model)")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--json", help="append the result as one JSON line to this file")
    args = parser.parse_args(argv)

    import torch
    from transformers import TrainerCallback

    from distill.train.grpo import build_trainer
    from distill.train.grpo_data import build_dataset

    root = Path(tempfile.mkdtemp(prefix="bench_grpo_"))
    model_dir = Path(args.model) if args.model else build_model(args.shape, root)
    recipe = make_recipe(args, model_dir, root / "run")
    section = recipe.train_baseline
    dataset, _ = build_dataset(section, recipe.seed)
    trainer, budget = build_trainer(section, recipe.stage_dir("train_baseline"), recipe.seed, dataset, "bench")
    gen = Timer(trainer, "_generate_single_turn")
    rew = Timer(trainer, "_calculate_rewards")
    steps: list[dict] = []

    class StepTimes(TrainerCallback):
        def on_step_begin(self, *a, **k):
            self.t0 = time.perf_counter()

        def on_step_end(self, *a, **k):
            total = time.perf_counter() - self.t0
            g, r = gen.take(), rew.take()
            steps.append({"step": total, "generation": g, "rewards": r, "training": total - g - r})

    trainer.add_callback(StepTimes())
    trainer.train()
    tokens = budget.generated_tokens()
    warm, rest = steps[0], steps[1:] or steps[:1]
    mean = {k: statistics.mean(s[k] for s in rest) for k in rest[0]}
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU ({torch.get_num_threads()} threads)"
    result = {"shape": "model" if args.model else args.shape, "backend": args.backend, "device": device,
              "completions_per_step": args.batch, "max_completion_length": args.max_completion_length,
              "steps": len(steps), "first_step_s": round(warm["step"], 3),
              **{f"{k}_s": round(v, 3) for k, v in mean.items()},
              "generated_tokens": tokens,
              "gen_tokens_per_s": round(tokens / max(sum(s["generation"] for s in steps), 1e-9), 1)}
    print("| shape | backend | device | completions/step x tokens | step s | generation s | rewards s | training s | gen tok/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['shape']} | {args.backend} | {device} | {args.batch} x {args.max_completion_length} | "
          f"{result['step_s']} | {result['generation_s']} | {result['rewards_s']} | {result['training_s']} | "
          f"{result['gen_tokens_per_s']} |")
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":  # vLLM spawns workers: nothing may run at import
    sys.exit(main())
