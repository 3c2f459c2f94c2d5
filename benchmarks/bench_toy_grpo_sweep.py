"""Does GRPO improve the demo's warmed-up toy teacher? A sweep of GRPO settings, each evaluated on
the held-out split with `distill eval` next to the starting model.

    distill run recipes/toy/pipeline.yaml --only toy --only warmup_teacher      # the starting point
    python benchmarks/bench_toy_grpo_sweep.py --demo-dir runs/toy                # the default sweep
    python benchmarks/bench_toy_grpo_sweep.py --demo-dir runs/toy --configs '{"lr2e-4": {"learning_rate": 2e-4}}'

Each config is a set of `grpo:` overrides on top of the demo's `train_teacher` settings (8 samples
per prompt, 64 per step, temperature 1.0, accuracy + 0.2 format reward, beta 0, constant LR). Every
run goes through `distill train-teacher` (TRL's GRPOTrainer) and `distill eval` (200 held-out
problems x 4 samples at R1's temperature 0.6). Prints the eval table and, per config, the mean
training accuracy reward of the first and last tenth of the steps; results go to OUT/sweep.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import toy_runs  # noqa: E402

# What docs/benchmarks/toy.md reports: learning rate and batch around the demo's settings.
DEFAULT_CONFIGS = {
    "lr1e-4": {"learning_rate": 1e-4},
    "lr3e-4_16gen": {"learning_rate": 3e-4, "num_generations": 16, "per_device_train_batch_size": 128},
    "lr5e-4": {"learning_rate": 5e-4},
    "lr1e-3": {"learning_rate": 1e-3},
}
DEMO_GRPO = {"num_generations": 8, "per_device_train_batch_size": 64, "max_completion_length": 48,
             "temperature": 1.0, "learning_rate": 1e-4, "lr_scheduler_type": "constant", "beta": 0.0,
             "max_steps": 200, "logging_steps": 10, "save_strategy": "no"}


def train(name: str, overrides: dict, start: str, prompts: Path, out: Path) -> str:
    grpo = {**DEMO_GRPO, **overrides}
    recipe = {"seed": 0, "output_dir": str(out / name),
              "train_teacher": {"model": start, "prompts": {"kind": "files", "name": str(prompts)},
                                "template": "chat", "rewards": {"accuracy": 1.0, "format": 0.2},
                                "backend": "transformers", "plot": False, "grpo": grpo}}
    toy_runs.run_distill(["train-teacher"], recipe, out / f"{name}.yaml")
    return str(out / name / "train_teacher")


def accuracy_curve(model_dir: str) -> list[float]:
    rows = [json.loads(line) for line in (Path(model_dir) / "metrics.jsonl").read_text().splitlines()]
    return [r["rewards/accuracy/mean"] for r in rows if "rewards/accuracy/mean" in r]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", default="runs/toy", help="a demo output dir with toy/ and warmup_teacher/")
    parser.add_argument("--start", help="model to start GRPO from (default: DEMO_DIR/warmup_teacher)")
    parser.add_argument("--out", default="/tmp/distill-toy-grpo-sweep")
    parser.add_argument("--configs", help="JSON {name: {grpo overrides}} (default: the documented sweep)")
    args = parser.parse_args()
    demo, out = Path(args.demo_dir), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = args.start or str(demo / "warmup_teacher")
    configs = json.loads(args.configs) if args.configs else DEFAULT_CONFIGS
    models = {"start": start}
    for name, overrides in configs.items():
        models[name] = train(name, overrides, start, demo / "toy" / "arithmetic_train.jsonl", out)
    table = toy_runs.evaluate(models, out)
    curves = {name: accuracy_curve(models[name]) for name in configs}
    summary = {name: {"train_accuracy_first": round(c[0], 3), "train_accuracy_last": round(c[-1], 3)}
               for name, c in curves.items() if c}
    (out / "sweep.json").write_text(json.dumps({"configs": configs, "curves": curves, "summary": summary}, indent=1))
    print(table)
    for name, s in summary.items():
        print(f"{name}: training accuracy reward, first logged {s['train_accuracy_first']:.2f} -> last {s['train_accuracy_last']:.2f}")


if __name__ == "__main__":
    main()
