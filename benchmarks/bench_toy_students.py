"""Which toy student learns from the teacher's traces? Build student shapes, warm each up like the
demo's `warmup_student` (60 steps on reference solutions), distil it on a filter output, and
evaluate base and distilled students on the held-out split with `distill eval`.

    distill run recipes/toy/pipeline.yaml --only toy ... --only filter        # traces to distil
    python benchmarks/bench_toy_students.py --demo-dir runs/toy                # the documented shapes

Every step is the real command: `distill train-student` (TRL's SFTTrainer, packing) and
`distill eval` (200 held-out problems x 4 samples at temperature 0.6).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import toy_runs  # noqa: E402

# name: (model shape, distillation epochs) as in docs/benchmarks/toy.md.
DEFAULT_STUDENTS = {
    "llama64x2_e10": ({"arch": "llama", "hidden_size": 64, "num_layers": 2, "num_heads": 1, "intermediate_size": 128}, 10),
    "llama128x1_e4": ({"arch": "llama", "hidden_size": 128, "num_layers": 1, "num_heads": 2, "intermediate_size": 256}, 4),
    "llama128x1_e10": ({"arch": "llama", "hidden_size": 128, "num_layers": 1, "num_heads": 2, "intermediate_size": 256}, 10),
}
WARMUP = {"max_steps": 60, "learning_rate": 3e-3, "per_device_train_batch_size": 8}


def sft(model: Path, data: Path, out: Path, options: dict) -> None:
    recipe = {"seed": 0, "output_dir": str(out.parent),
              "train_student": {"model": str(model), "dataset": str(data), "max_length": 256, "output_dir": str(out),
                                "sft": {**options, "logging_steps": 50, "save_strategy": "no"}}}
    toy_runs.run_distill(["train-student"], recipe, out.parent / f"{out.name}.yaml")


def main() -> None:
    from distill.toy.models import build_tiny_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", default="runs/toy", help="a demo output dir with toy/ and filter/data")
    parser.add_argument("--out", default="/tmp/distill-toy-students")
    args = parser.parse_args()
    toy, out = Path(args.demo_dir) / "toy", Path(args.out)
    traces = Path(args.demo_dir) / "filter" / "data"
    models = {}
    for name, (shape, epochs) in DEFAULT_STUDENTS.items():
        work = out / name
        build_tiny_model(shape["arch"], toy / "tokenizer", work / "init", **{k: v for k, v in shape.items() if k != "arch"})
        sft(work / "init", toy / "arithmetic_train_sft.jsonl", work / "base", WARMUP)
        sft(work / "base", traces, work / "distilled", {"num_train_epochs": epochs, "learning_rate": 3e-3,
                                                        "lr_scheduler_type": "cosine", "warmup_steps": 10,
                                                        "per_device_train_batch_size": 8})
        models[f"{name}_base"], models[f"{name}_distilled"] = str(work / "base"), str(work / "distilled")
    print(toy_runs.evaluate(models, out))
    (out / "students.json").write_text(json.dumps({n: {"shape": s, "epochs": e} for n, (s, e) in DEFAULT_STUDENTS.items()}))


if __name__ == "__main__":
    main()
